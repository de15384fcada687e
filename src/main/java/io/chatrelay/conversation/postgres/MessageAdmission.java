package io.chatrelay.conversation.postgres;

/**
 * What a message must pass for its conversation to give it a seq. The insert checks it
 * itself, under the conversation's row lock, so no other writer can slip in between.
 *
 * @param sessionId the session that must own the conversation, or null for no check
 * @param ceiling no seq is given once the conversation's last seq has reached it
 */
record MessageAdmission(String sessionId, int ceiling) {

    /** For the assistant's messages: their turn passed both checks with its user message. */
    static final MessageAdmission GRANTED = new MessageAdmission(null, Integer.MAX_VALUE);
}

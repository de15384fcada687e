package io.chatrelay.conversation.postgres;

import io.chatrelay.session.Owner;

/**
 * What a message must pass for its conversation to give it a seq. The insert checks it
 * itself, under the conversation's row lock, so no other writer can slip in between.
 *
 * @param owner the owner the conversation must have, or null for no check
 * @param ceiling no seq is given once the conversation's last seq plus the answers its running
 *        turns will still add has reached it
 * @param answerReservations how the message changes those answers still to come: +1 for a
 *        turn's user message, which reserves room for its answer, -1 for the answer, which
 *        takes that room
 */
record MessageAdmission(Owner owner, int ceiling, int answerReservations) {

    /** For the assistant's messages: their turn passed both checks with its user message. */
    static final MessageAdmission ANSWER = new MessageAdmission(null, Integer.MAX_VALUE, -1);

    /**
     * For the user message that opens a turn: a turn adds two messages, so it is refused while
     * there is no room for both, counting the answers of the turns still running.
     */
    static MessageAdmission turnOpening(Owner owner, int maxMessagesPerConversation) {
        return new MessageAdmission(owner, maxMessagesPerConversation - 1, 1);
    }
}

package io.chatrelay.conversation;

/** Values of a message's {@code status}. */
public final class MessageStatus {

    /** The exchange completed; user messages are always final. */
    public static final String FINAL = "final";
    /** The upstream failed (status >= 400, broken stream, timeout); content is what arrived. */
    public static final String ERROR = "error";
    /** The client went away; content is what arrived before. */
    public static final String ABORTED = "aborted";
    /** Draft row of the PERSIST_STREAMING_DELTAS escape hatch, still being appended to. */
    public static final String STREAMING = "streaming";
    /**
     * A STREAMING draft whose instance died: its lease (STREAMING_LEASE) ran out without being
     * renewed, and the orphan sweep closed it; content is what had been appended.
     */
    public static final String INTERRUPTED = "interrupted";

    private MessageStatus() {
    }
}

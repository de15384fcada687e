package io.chatrelay.error;

/**
 * An error the service itself reports to a client, rendered in OpenAI's error envelope.
 * The message is written for the client: it never carries content, keys or SQL.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public ApiException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static ApiException invalidRequest(String code, String param, String message) {
        return new ApiException(400, "invalid_request_error", code, param, message);
    }

    public static ApiException conversationNotFound() {
        return new ApiException(404, "not_found_error", "conversation_not_found", null,
                "Conversation not found");
    }

    public static ApiException limitExceeded(String message) {
        return new ApiException(429, "invalid_request_error", "limit_exceeded", null, message);
    }

    public static ApiException persistenceDisabled() {
        return new ApiException(501, "invalid_request_error", "not_implemented", null,
                "Conversation storage is disabled on this server (PERSIST_TRANSCRIPTS=false)");
    }

    public static ApiException persistenceUnavailable() {
        return new ApiException(503, "server_error", "persistence_unavailable", null,
                "Conversation storage is temporarily unavailable");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public OpenAiError toBody() {
        return OpenAiError.of(getMessage(), type, param, code);
    }
}

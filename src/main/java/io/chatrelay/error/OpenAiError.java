package io.chatrelay.error;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** OpenAI's error envelope: {@code {"error": {"message", "type", "param", "code"}}}. */
// Registered for a native executable because Quarkus cannot see where it is serialised: as the
// entity of a Response built by the exception mappers, and by ErrorResponses through Json.encode.
@RegisterForReflection
public record OpenAiError(Detail error) {

    @RegisterForReflection // for the same reason
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }

    public static OpenAiError of(String message, String type, String param, String code) {
        return new OpenAiError(new Detail(message, type, param, code));
    }
}

package io.chatrelay.error;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** OpenAI's error envelope: {@code {"error": {"message", "type", "param", "code"}}}. */
@RegisterForReflection
public record OpenAiError(Detail error) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }

    public static OpenAiError of(String message, String type, String param, String code) {
        return new OpenAiError(new Detail(message, type, param, code));
    }
}

package io.chatrelay.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.chatrelay.error.ApiException;

class ModelPathTest {

    @Test
    void idsAreKeptSegmentBySegmentAndEncodedSafely() {
        assertEquals("models/gpt-4.1-mini", ModelPath.of("gpt-4.1-mini"));
        assertEquals("models/ft:gpt-4o:acme:x@1~a_b", ModelPath.of("ft%3Agpt-4o:acme:x@1~a_b"));
        assertEquals("models/meta-llama/Llama-3", ModelPath.of("meta-llama/Llama-3"));
        assertEquals("models/meta-llama%2FLlama-3", ModelPath.of("meta-llama%2FLlama-3"));
        assertEquals("models/a%3Fb%23c%26d%3De", ModelPath.of("a?b#c&d=e"));
        assertEquals("models/a%20b%2Bc", ModelPath.of("a%20b+c"));
        assertEquals("models/mod%C3%A8le", ModelPath.of("mod\u00e8le"));
        assertEquals("models/mod%C3%A8le", ModelPath.of("mod%C3%A8le"));
        assertEquals("models/%F0%9F%A6%99", ModelPath.of("\uD83E\uDD99"));
        // a stray percent sign is a percent sign
        assertEquals("models/50%25zz", ModelPath.of("50%zz"));
        assertEquals("models/50%25", ModelPath.of("50%"));
        assertEquals("models/50%254", ModelPath.of("50%4"));
        // dots that are part of a name are names
        assertEquals("models/...", ModelPath.of("..."));
        assertEquals("models/.hidden", ModelPath.of(".hidden"));
        assertEquals("models/a..b", ModelPath.of("a..b"));
    }

    @Test
    void dotSegmentsAreRefusedAlsoBehindEncodedSlashes() {
        for (String id : List.of("", ".", "..", "%2E", "%2e%2E", "a/..", "../files", "..%2Ffiles", "a%2F..%2Fb",
                "..%5Cfiles", "..\\files", "a/./b")) {
            ApiException refused = assertThrows(ApiException.class, () -> ModelPath.of(id), id);
            assertEquals(404, refused.status());
            assertEquals("model_not_found", refused.code());
        }
    }
}

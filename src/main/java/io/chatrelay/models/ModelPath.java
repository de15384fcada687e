package io.chatrelay.models;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.chatrelay.error.ApiException;

/**
 * Turns a model id, as it stood in the client's request path, into the provider's path
 * {@code models/<id>}. The id is kept as the client wrote it, segment by segment: a literal
 * {@code /} stays a separator (ids such as {@code meta-llama/Llama-3-8B} of compatible
 * providers), an encoded {@code %2F} stays encoded, and every segment is decoded and then
 * percent-encoded again, so that nothing in it ({@code ?}, {@code #}, {@code %}, spaces,
 * non-ASCII) can change the provider's URL beyond the id. Only dot segments ({@code .},
 * {@code ..}, also between encoded slashes), which no model is named and which would lead the
 * request to another of the provider's endpoints with the service's key, are refused.
 */
final class ModelPath {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ModelPath() {
    }

    /**
     * @param rawId the id as it stood in the request path, still percent-encoded
     * @return {@code models/<id>} with each segment safely encoded
     * @throws ApiException 404 {@code model_not_found} for an empty id or a dot segment
     */
    static String of(String rawId) {
        if (rawId == null || rawId.isEmpty()) {
            throw notAModel();
        }
        StringBuilder path = new StringBuilder("models");
        for (String rawSegment : rawId.split("/", -1)) {
            String segment = decode(rawSegment);
            if (isDotSegment(segment)) {
                throw notAModel();
            }
            path.append('/');
            encode(segment, path);
        }
        return path.toString();
    }

    /** Percent-decodes one path segment as UTF-8; {@code +} is a plus here, and a stray {@code %} is kept. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.charAt(i) == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0
                    && hex(raw.charAt(i + 2)) >= 0) {
                bytes.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
                i += 3;
            } else {
                int end = raw.indexOf('%', i + 1);
                end = end < 0 ? raw.length() : end;
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * A dot segment, also one hidden behind an encoded slash or backslash: a server in front of
     * the provider that decodes them before it normalises the path would otherwise walk up.
     */
    private static boolean isDotSegment(String segment) {
        for (String piece : segment.split("[/\\\\]", -1)) {
            if (piece.equals(".") || piece.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** Keeps RFC 3986's unreserved characters, {@code :} and {@code @}; percent-encodes every other byte. */
    static void encode(String segment, StringBuilder out) {
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~' || c == ':' || c == '@') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static ApiException notAModel() {
        return new ApiException(404, "invalid_request_error", "model_not_found", "model",
                "The model id is not valid");
    }
}

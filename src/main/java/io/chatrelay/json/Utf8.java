package io.chatrelay.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8, checked over the bytes already held. Jackson decodes multi-byte sequences
 * leniently (the overlong {@code C0 AF} becomes {@code /}) and guesses UTF-16 or UTF-32 from
 * zero bytes; the JDK's decoder refuses overlong forms, surrogates and truncated sequences.
 */
final class Utf8 {

    /** The decoder writes here and it is thrown away: only the verdict counts, the body is not copied. */
    private static final int SCRATCH_CHARS = 4096;

    private Utf8() {
    }

    /**
     * Whether {@code bytes} is well-formed UTF-8 that Jackson reads as UTF-8: none of the first
     * four bytes is zero, which would make it guess UTF-16 or UTF-32 (a zero byte is never part
     * of UTF-8 JSON, where U+0000 can only be written as an escape).
     */
    static boolean isJsonText(byte[] bytes) {
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            if (bytes[i] == 0) {
                return false;
            }
        }
        // A fresh decoder reports malformed input rather than replacing it.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer scratch = CharBuffer.allocate(Math.min(SCRATCH_CHARS, bytes.length + 1));
        while (true) {
            CoderResult result = decoder.decode(in, scratch, true);
            if (result.isError()) {
                return false;
            }
            if (result.isUnderflow()) {
                return !decoder.flush(scratch).isError();
            }
            scratch.clear();
        }
    }
}

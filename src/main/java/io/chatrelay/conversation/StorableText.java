package io.chatrelay.conversation;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What both transcript stores hold exactly as a client sent it. PostgreSQL refuses the
 * character U+0000 in {@code text} and {@code jsonb}, turns an unpaired surrogate into
 * {@code ?}, and keeps a {@code jsonb} number written out in full: {@code 1e999999999} cannot
 * be stored at all, and {@code 1e100000} (8 bytes sent) reads back as 100001 digits. Text that
 * would be stored is checked against these rules before anything happens, on both backends, so
 * that such a request is a 400 rather than a failure in the database or a changed value.
 */
public final class StorableText {

    /**
     * Digits that the numbers of one stored value may have in total, written out in full: far
     * more than any message carries, small enough that reading a message back stays cheap.
     */
    public static final int MAX_NUMBER_DIGITS = 10_000;

    private StorableText() {
    }

    /** Why the text cannot be stored as sent ("must not contain ..."), or null when it can. */
    public static String problem(String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "must not contain the character U+0000";
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return "must not contain an unpaired surrogate (U+D800 to U+DFFF)";
                }
                i++;
            }
        }
        return null;
    }

    /**
     * Why the JSON value cannot be stored as sent, or null when it can: its strings and field
     * names as {@link #problem(String)}, and its numbers at most {@value #MAX_NUMBER_DIGITS}
     * digits in total when written out. Iterative: the parser bounds the depth, but a stored
     * value need not come from it.
     */
    public static String problem(JsonNode value) {
        if (value == null) {
            return null;
        }
        long digits = 0;
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(value);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isTextual()) {
                String problem = problem(node.textValue());
                if (problem != null) {
                    return problem;
                }
            } else if (node.isNumber()) {
                digits += writtenOutDigits(node);
                if (digits > MAX_NUMBER_DIGITS) {
                    return "must not have numbers of more than " + MAX_NUMBER_DIGITS
                            + " digits in total when written out in full";
                }
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    String problem = problem(field.getKey());
                    if (problem != null) {
                        return problem;
                    }
                    pending.push(field.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(pending::push);
            }
        }
        return null;
    }

    /** Digits of the number in plain decimal form, as PostgreSQL's numeric type writes it. */
    private static long writtenOutDigits(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.asText().length();
        }
        BigDecimal value = number.decimalValue();
        long precision = value.precision();
        long scale = value.scale();
        // 12e3 -> "12000"; 1.5 -> "1.5"; 15e-5 -> "0.00015" (the leading zero counts).
        return scale <= 0 ? precision - scale : Math.max(precision, scale + 1);
    }
}

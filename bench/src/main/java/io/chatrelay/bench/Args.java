package io.chatrelay.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The few command-line options of the bench and the mock: {@code --name value} pairs and bare
 * {@code --flag}s. Small on purpose: the harness must not need a CLI library.
 */
final class Args {

    private final Map<String, String> values;
    private final Set<String> flags;

    private Args(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    /** An option followed by a value that does not start with {@code --} takes it; else it is a flag. */
    static Args parse(String[] argv) {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                values.put(name, argv[++i]);
            } else {
                flags.add(name);
            }
        }
        return new Args(values, flags);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    int intValue(String name, int fallback) {
        String value = values.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    String value(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }
}

package io.chatrelay.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys clients may use, as SHA-256 hashes, each with the subject it stands for: only
 * hashes are kept, in the file and in memory, so neither gives a key away. A presented key is
 * hashed and looked up; the lookup compares hashes of a secret, which tells an attacker
 * nothing about the key.
 */
public final class ApiKeys {

    /** The lengths a subject may have, and the characters: it is stored and may be logged. */
    static final int MAX_SUBJECT_LENGTH = 200;

    private final Map<String, String> subjectByHash;

    private ApiKeys(Map<String, String> subjectByHash) {
        this.subjectByHash = subjectByHash;
    }

    /**
     * Reads AUTH_API_KEYS_FILE: one {@code <subject>:<sha256 hex of the key>} per line; blank
     * lines and lines starting with {@code #} are skipped. Blocking (file I/O).
     *
     * @throws IllegalStateException naming the line number (never its content) when the file
     *         cannot be read, a line is malformed, or it holds no key at all
     */
    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("AUTH_API_KEYS_FILE cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> subjects = new ConcurrentHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.lastIndexOf(':');
            String subject = colon < 0 ? "" : line.substring(0, colon).strip();
            String hash = colon < 0 ? "" : line.substring(colon + 1).strip().toLowerCase(java.util.Locale.ROOT);
            if (!Subjects.isValid(subject) || !hash.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException("AUTH_API_KEYS_FILE line " + (i + 1)
                        + " is not <subject>:<sha256 hex of the key> (subject: 1-" + MAX_SUBJECT_LENGTH
                        + " printable characters)");
            }
            if (subjects.putIfAbsent(hash, subject) != null) {
                throw new IllegalStateException("AUTH_API_KEYS_FILE line " + (i + 1) + " repeats a key of an earlier line");
            }
        }
        if (subjects.isEmpty()) {
            throw new IllegalStateException("AUTH_API_KEYS_FILE holds no key: no client could call the service");
        }
        return new ApiKeys(Map.copyOf(subjects));
    }

    /** The subject of the key, or empty when it is none of the configured keys. */
    public Optional<String> subjectOf(String key) {
        return Optional.ofNullable(subjectByHash.get(sha256Hex(key)));
    }

    /** How many keys there are (for the start-up log line; never the keys or subjects). */
    public int size() {
        return subjectByHash.size();
    }

    static String sha256Hex(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this runtime", e);
        }
    }
}

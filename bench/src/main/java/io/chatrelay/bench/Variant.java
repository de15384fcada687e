package io.chatrelay.bench;

/** The relay configurations the bench compares, and the environment that selects each. */
enum Variant {
    OFF("off", "relay, persistence off", false, false),
    POSTGRES("pg", "relay, PostgreSQL", true, false),
    DELTAS("deltas", "relay, PostgreSQL + PERSIST_STREAMING_DELTAS", true, true);

    final String key;
    final String label;
    final boolean persists;
    final boolean streamingDeltas;

    Variant(String key, String label, boolean persists, boolean streamingDeltas) {
        this.key = key;
        this.label = label;
        this.persists = persists;
        this.streamingDeltas = streamingDeltas;
    }
}

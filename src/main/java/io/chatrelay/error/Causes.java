package io.chatrelay.error;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Walks an exception's chain of causes. Every walk stops at a cause it has already seen: a
 * {@code getCause()} that returns its own exception, or two exceptions that name each other
 * as cause ({@link Throwable#initCause} refuses only an exception as its own cause), ends
 * the walk instead of looping forever.
 */
public final class Causes {

    private Causes() {
    }

    /** The failure followed by its causes, outermost first, each once; empty for {@code null}. */
    public static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** The innermost cause: the last exception of the chain, or the failure itself when it has no cause. */
    public static Throwable root(Throwable failure) {
        List<Throwable> chain = chain(Objects.requireNonNull(failure, "failure"));
        return chain.get(chain.size() - 1);
    }

    /** Whether the failure, or any of its causes, is an instance of one of the types. False for {@code null}. */
    @SafeVarargs
    public static boolean has(Throwable failure, Class<? extends Throwable>... types) {
        for (Throwable t : chain(failure)) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Names a failure for a log line by type only, e.g. {@code "PersistenceException caused by
     * SQLException"}: simple names of the failure and, when it differs, of its root cause. Never
     * a message, which may quote SQL, URLs or content.
     */
    public static String describe(Throwable failure) {
        Throwable root = root(failure);
        return root == failure ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName();
    }
}

package io.chatrelay.relay;

import java.util.function.Supplier;

import org.eclipse.microprofile.context.ThreadContext;

import io.smallrye.context.SmallRyeThreadContext;

/**
 * Assembles stream operators without context propagation. Mutiny wraps every callback of an
 * operator, when the operator is assembled, in the thread context current at that moment;
 * by default it captures and restores Quarkus' contexts (CDI request scope, transaction)
 * around each call, for every item. The relayed streams' callbacks (folding an event,
 * counting bytes) use none of them, and with an empty context the callbacks stay unwrapped:
 * that wrapping was a tenth of the relay's CPU in the profile (docs/BENCHMARKS.md, change 3).
 */
public final class NoContextPropagation {

    private NoContextPropagation() {
    }

    /** Runs the assembly with a thread context that propagates and clears nothing. */
    public static <T> T assemble(Supplier<T> assembly) {
        return SmallRyeThreadContext.withThreadContext(Empty.CONTEXT, assembly);
    }

    /** Built on first use, at run time: the context manager is set up by then. */
    private static final class Empty {
        static final SmallRyeThreadContext CONTEXT = SmallRyeThreadContext.builder()
                .propagated(ThreadContext.NONE)
                .cleared(ThreadContext.NONE)
                .unchanged(ThreadContext.ALL_REMAINING)
                .build();
    }
}

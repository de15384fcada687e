package io.chatrelay.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class CausesTest {

    /** Generous: a walk that loops never returns, one that stops takes microseconds. */
    private static final Duration NO_LOOP = Duration.ofSeconds(5);

    @Test
    void anExceptionWithoutCauseIsItsOwnRoot() {
        IllegalStateException alone = new IllegalStateException("no cause");

        assertSame(alone, Causes.root(alone));
        assertEquals(List.of(alone), Causes.chain(alone));
    }

    @Test
    void theRootIsTheInnermostCause() {
        SQLException sql = new SQLException("innermost");
        IllegalStateException middle = new IllegalStateException(sql);
        CompletionException outer = new CompletionException(middle);

        assertSame(sql, Causes.root(outer));
        assertEquals(List.of(outer, middle, sql), Causes.chain(outer));
    }

    @Test
    void aNestedCauseOfAnyOfTheTypesMatches() {
        Throwable failure = new CompletionException(new IllegalStateException(new TimeoutException()));

        assertTrue(Causes.has(failure, TimeoutException.class));
        assertTrue(Causes.has(failure, SQLException.class, IllegalStateException.class));
        assertTrue(Causes.has(failure, RuntimeException.class), "a subtype matches its supertype");
        assertFalse(Causes.has(failure, SQLException.class, UncheckedIOException.class));
    }

    @Test
    void theFailureItselfCountsAsPartOfItsChain() {
        UncheckedIOException io = new UncheckedIOException(new IOException());

        assertTrue(Causes.has(io, UncheckedIOException.class));
    }

    @Test
    void noFailureHasNoCauses() {
        assertEquals(List.of(), Causes.chain(null));
        assertFalse(Causes.has(null, Throwable.class));
        assertThrows(NullPointerException.class, () -> Causes.root(null));
    }

    @Test
    void anExceptionThatIsItsOwnCauseEndsTheWalk() {
        SelfCaused self = new SelfCaused();

        assertTimeoutPreemptively(NO_LOOP, () -> {
            assertSame(self, Causes.root(self));
            assertEquals(List.of(self), Causes.chain(self));
            assertFalse(Causes.has(self, TimeoutException.class));
        });
    }

    @Test
    void twoExceptionsThatCauseEachOtherEndTheWalk() {
        IllegalStateException first = new IllegalStateException();
        IllegalArgumentException second = new IllegalArgumentException();
        first.initCause(second);
        second.initCause(first);

        assertTimeoutPreemptively(NO_LOOP, () -> {
            assertEquals(List.of(first, second), Causes.chain(first));
            assertSame(second, Causes.root(first), "the last exception before the chain repeats");
            assertTrue(Causes.has(first, IllegalArgumentException.class));
            assertFalse(Causes.has(first, SQLException.class));
        });
    }

    @Test
    void aFailureIsDescribedByItsTypeAndItsRootCausesTypeOnly() {
        SQLException sql = new SQLException("DELETE FROM secret_table");
        Throwable wrapped = new IllegalStateException("row of user content", new RuntimeException(sql));

        assertEquals("IllegalStateException caused by SQLException", Causes.describe(wrapped));
        assertEquals("SQLException", Causes.describe(sql));
    }

    /** Throwable itself never reports itself as its cause; a subclass can. */
    private static final class SelfCaused extends RuntimeException {
        @Override
        public synchronized Throwable getCause() {
            return this;
        }
    }
}

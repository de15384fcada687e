package io.chatrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the bench's child processes (mock, relays) and guarantees they die with the bench:
 * a shutdown hook stops every one still running, whether the bench ends normally, fails, or is
 * interrupted with Ctrl-C. Only processes started here are ever signalled.
 */
final class ProcessSupervisor {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessSupervisor::stopAll, "bench-children-reaper"));
    }

    private ProcessSupervisor() {
    }

    /** Starts {@code command} with stdout and stderr appended to {@code log}. */
    static Process start(ProcessBuilder builder, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Process process = builder.start();
        LIVE.add(process);
        return process;
    }

    /** SIGTERM, then SIGKILL if the process has not exited within {@code graceSeconds}. */
    static void stop(Process process, long graceSeconds) {
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    private static void stopAll() {
        for (Process process : List.copyOf(LIVE)) {
            process.destroy();
        }
        for (Process process : List.copyOf(LIVE)) {
            stop(process, 10);
        }
    }

    /** The last lines of a log, for error messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}

package io.chatrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One chat-relay instance in its own process: {@code java -jar target/quarkus-app/quarkus-run.jar}
 * (the packaged service, JVM mode), or the native executable named by {@code RELAY_NATIVE},
 * configured through the environment as in production.
 *
 * <p>Start-up time is measured from just before the process is spawned to the first 200 of
 * {@code /q/health/ready}; with PostgreSQL that includes connecting and running the Flyway
 * migrations, which the service does on its first readiness probe. The relay runs with the
 * production JVM options ({@code src/main/docker/jvm.options}) and, when bench/run.sh has
 * trained one, the JDK's AOT cache; {@code RELAY_JAVA_OPTS} adds options after them (the last
 * of a repeated option wins). A native executable runs with the heap its images give it, and
 * {@code RELAY_JAVA_OPTS} after that (native executables take {@code -Xmx} and {@code -XX:} options too).
 */
final class RelayProcess implements AutoCloseable {

    static final String JVM_OPTIONS = "src/main/docker/jvm.options";
    static final String JAR = "target/quarkus-app/quarkus-run.jar";
    /** The heap the images give the native executable (src/main/docker/Dockerfile.native-*). */
    static final String NATIVE_HEAP = "-Xmx128m";
    static final String AOT_CACHE = "target/quarkus-app/chat-relay.aot";
    private static final Pattern QUARKUS_STARTED = Pattern.compile("started in ([0-9.]+)s");

    private final Process process;
    private final int port;
    private final Path log;
    private final long startupMillis;

    private RelayProcess(Process process, int port, Path log, long startupMillis) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.startupMillis = startupMillis;
    }

    static RelayProcess start(Path repo, Path logDir, Variant variant, String upstreamBaseUrl,
            BenchDatabase database) throws IOException {
        String nativeExecutable = System.getenv("RELAY_NATIVE");
        boolean runsNative = nativeExecutable != null && !nativeExecutable.isBlank();
        List<String> command = runsNative ? nativeCommand(Path.of(nativeExecutable)) : jvmCommand(repo);
        String extra = System.getenv("RELAY_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (!runsNative) {
            command.addAll(List.of("-jar", repo.resolve(JAR).toString()));
        }
        int port = HttpProbe.freePort();
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
        Map<String, String> env = builder.environment();
        // Nothing from the caller's shell may change what is measured.
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("PERSIST_") || k.startsWith("DB_")
                || k.startsWith("OPENAI_") || k.startsWith("RATE_LIMIT_") || k.startsWith("MAX_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        env.put("PORT", String.valueOf(port));
        env.put("OPENAI_BASE_URL", upstreamBaseUrl);
        env.put("OPENAI_API_KEY", "bench-key");
        env.put("RATE_LIMIT_MAX", "0");
        env.put("DB_URL", database.jdbcUrl());
        env.put("DB_USER", database.user());
        if (!database.password().isEmpty()) {
            env.put("DB_PASSWORD", database.password());
        }
        env.put("PERSIST_TRANSCRIPTS", String.valueOf(variant.persists));
        env.put("PERSIST_STREAMING_DELTAS", String.valueOf(variant.streamingDeltas));
        env.put("MAX_CONVERSATIONS_PER_SESSION", "100000000");
        // One INFO line per exchange would make the bench measure the console, not the relay.
        env.put("QUARKUS_LOG_CATEGORY__IO_CHATRELAY_EXCHANGE__LEVEL", "OFF");

        Path log = logDir.resolve("relay-" + variant.key + ".log");
        long spawned = System.nanoTime();
        Process process = ProcessSupervisor.start(builder, log);
        long ready;
        try {
            ready = HttpProbe.awaitOk("http://127.0.0.1:" + port + "/q/health/ready", process, Duration.ofSeconds(90));
        } catch (IOException e) {
            ProcessSupervisor.stop(process, 10);
            throw new IOException("relay (" + variant.label + ") did not become ready: " + e.getMessage()
                    + "\n--- " + log + " ---\n" + ProcessSupervisor.tail(log, 40), e);
        }
        return new RelayProcess(process, port, log, (ready - spawned) / 1_000_000);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    long startupMillis() {
        return startupMillis;
    }

    /** Quarkus' own "started in" figure from the log (JVM start to HTTP up, without readiness), or NaN. */
    double quarkusStartedSeconds() {
        try {
            Matcher m = QUARKUS_STARTED.matcher(Files.readString(log));
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit status once the process has ended (143 = SIGTERM, 137 = SIGKILL), else -1. */
    int exitStatus() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    Path log() {
        return log;
    }

    /** SIGTERM: the relay drains (nothing is in flight by then) and closes its pool, flushing its DB stats. */
    @Override
    public void close() {
        ProcessSupervisor.stop(process, 45);
    }

    /** The production JVM options, then the AOT cache that bench/run.sh trained, if any. */
    private static List<String> jvmCommand(Path repo) throws IOException {
        if (!Files.isRegularFile(repo.resolve(JAR))) {
            throw new IOException(repo.resolve(JAR) + " is missing: build the service first (./mvnw package -DskipTests)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + repo.resolve(JVM_OPTIONS));
        Path aotCache = repo.resolve(AOT_CACHE);
        if (Files.isRegularFile(aotCache)) {
            command.add("-XX:AOTCache=" + aotCache);
            // The cache's classes, loaded and linked, are what makes the start fast. Its method
            // profiles come from a training run that only starts and stops the service: replayed,
            // they steered the JIT's first compilations of the serving path wrong and cost up to
            // twice the CPU per turn (docs/BENCHMARKS.md, change 14). They are not replayed.
            command.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining"));
        }
        return command;
    }

    /** A native executable (RELAY_NATIVE) with the heap its images give it. */
    private static List<String> nativeCommand(Path executable) throws IOException {
        if (!Files.isExecutable(executable)) {
            throw new IOException(executable + " (RELAY_NATIVE) is not an executable: build it with ./mvnw package -Dnative");
        }
        return new ArrayList<>(List.of(executable.toAbsolutePath().toString(), NATIVE_HEAP));
    }
}

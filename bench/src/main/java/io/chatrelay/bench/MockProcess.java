package io.chatrelay.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs {@link FastMockUpstream} in a JVM of its own, from the bench's own jar. A separate process
 * keeps its event loop and garbage collector away from the load generator's, and away from the
 * relay's CPU figures; both the direct rounds and the relay's upstream calls hit this one mock.
 */
final class MockProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private MockProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static MockProcess start(Path logDir, int chunks, int intervalMs) throws IOException {
        int port = HttpProbe.freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xms256m", "-Xmx512m",
                "-cp", benchJar().toString(), FastMockUpstream.class.getName(),
                "--port", String.valueOf(port), "--chunks", String.valueOf(chunks),
                "--interval-ms", String.valueOf(intervalMs)));
        Path log = logDir.resolve("mock.log");
        Process process = ProcessSupervisor.start(builder, log);
        try {
            HttpProbe.awaitOk("http://127.0.0.1:" + port + "/health", process, Duration.ofSeconds(30));
        } catch (IOException e) {
            ProcessSupervisor.stop(process, 5);
            throw new IOException("mock upstream did not start: " + e.getMessage() + "\n"
                    + ProcessSupervisor.tail(log, 30), e);
        }
        return new MockProcess(process, port);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** What OPENAI_BASE_URL must be for the relay to call this mock. */
    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    @Override
    public void close() {
        ProcessSupervisor.stop(process, 5);
    }

    private static Path benchJar() throws IOException {
        try {
            return Path.of(MockProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the bench jar", e);
        }
    }
}

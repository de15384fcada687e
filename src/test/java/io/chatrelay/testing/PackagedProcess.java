package io.chatrelay.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service (the jar, or the native executable of a native build) as a process of
 * its own, for the tests that stop it the way a cluster does: SIGTERM, then a new start.
 */
public final class PackagedProcess implements AutoCloseable {

    private final HttpClient http = HttpClient.newHttpClient();
    private final StringBuffer output = new StringBuffer();
    private final int port;
    private final Process process;

    private PackagedProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts the service with {@code environment} (PORT is chosen here) and waits until it is ready. */
    public static PackagedProcess start(Map<String, String> environment) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(serviceCommand()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("PORT", String.valueOf(port));
        PackagedProcess service = new PackagedProcess(port, builder.start());
        service.drainOutput();
        await().atMost(Duration.ofSeconds(60)).until(() -> service.status("/q/health/ready") == 200);
        return service;
    }

    /** SIGTERM, as Kubernetes sends it; readiness goes down at once. */
    public void terminate() {
        process.destroy();
        await().atMost(Duration.ofSeconds(2)).until(() -> status("/q/health/ready") != 200);
    }

    /** Whether the process exited within {@code seconds}. */
    public boolean exitsWithin(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Everything the process has written to stdout and stderr so far: its whole log. */
    public String output() {
        return output.toString();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The status of a GET, or -1 while nothing listens. */
    public int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening (yet, or any more)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The packaged service as the build made it: the native executable after a native build
     * ({@code -Dnative}; failsafe names it in {@code native.image.path}), else the jar.
     * quarkus-artifact.properties tells which, as it does for {@code @QuarkusIntegrationTest}.
     */
    private static List<String> serviceCommand() throws IOException {
        Properties artifact = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("target", "quarkus-artifact.properties"))) {
            artifact.load(in);
        }
        if ("native".equals(artifact.getProperty("type"))) {
            String executable = System.getProperty("native.image.path");
            Path path = executable != null ? Path.of(executable) : Path.of("target", artifact.getProperty("path"));
            assertTrue(Files.isExecutable(path), path + " is the native executable");
            return List.of(path.toAbsolutePath().toString());
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    }

    /** Keeps the child's output flowing so that it never blocks on a full pipe. */
    private void drainOutput() {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[service] " + line);
                    output.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }
}

package io.chatrelay.packaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/** Checks the packaged production artifact, after {@code package}: the dev-only mock provider is not in it. */
class ProductionJarIT {

    @Test
    void productionJarHasNoMockProvider() throws IOException {
        Path appDir = Path.of("target", "quarkus-app", "app");
        assertTrue(Files.isDirectory(appDir), "run after mvn package");
        try (var jars = Files.list(appDir)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    assertTrue(file.getEntry("io/chatrelay/relay/ExchangeRelay.class") != null, "the relay is packaged");
                    assertFalse(file.stream().anyMatch(e -> e.getName().startsWith("io/chatrelay/devmock/")
                            && e.getName().endsWith(".class")),
                            jar + " must not contain the dev-only mock provider");
                }
            }
        }
    }
}

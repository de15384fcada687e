package io.chatrelay.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The packages show the architecture, and each depends only on those below it: the HTTP
 * filters and endpoints on top, then the tool loop, the relay engine, turn recording, the
 * transcripts, and the provider client and the SSE framing at the bottom. A dependency
 * upwards fails here, with the class that makes it.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.chatrelay");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.chatrelay.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachLayerDependsOnlyOnTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("HTTP filters").definedBy("io.chatrelay.http..")
                .layer("Lifecycle").definedBy("io.chatrelay.lifecycle..")
                .layer("Endpoints").definedBy("io.chatrelay.chat..", "io.chatrelay.responses..",
                        "io.chatrelay.models..", "io.chatrelay.health..")
                .layer("Tool loop").definedBy("io.chatrelay.toolloop..")
                .layer("Relay engine").definedBy("io.chatrelay.relay..")
                .layer("Turn recording").definedBy("io.chatrelay.turn..")
                .layer("Transcripts").definedBy("io.chatrelay.conversation..", "io.chatrelay.retention..")
                .layer("Provider").definedBy("io.chatrelay.upstream..")
                .layer("SSE").definedBy("io.chatrelay.sse..")
                .whereLayer("HTTP filters").mayNotBeAccessedByAnyLayer()
                .whereLayer("Lifecycle").mayOnlyBeAccessedByLayers("HTTP filters")
                .whereLayer("Endpoints").mayNotBeAccessedByAnyLayer()
                .whereLayer("Tool loop").mayOnlyBeAccessedByLayers("Endpoints")
                .whereLayer("Relay engine").mayOnlyBeAccessedByLayers("Endpoints", "Tool loop")
                .whereLayer("Turn recording").mayOnlyBeAccessedByLayers("Lifecycle", "Endpoints", "Tool loop",
                        "Relay engine")
                .whereLayer("Transcripts").mayOnlyBeAccessedByLayers("Lifecycle", "Endpoints", "Tool loop",
                        "Relay engine", "Turn recording")
                .whereLayer("Provider").mayOnlyBeAccessedByLayers("Endpoints", "Tool loop", "Relay engine")
                .whereLayer("SSE").mayOnlyBeAccessedByLayers("Endpoints", "Tool loop", "Relay engine",
                        "Turn recording")
                .check(classes);
    }
}

package io.chatrelay.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/**
 * Lints and renders the Helm chart in {@code k8s/helm/chat-relay} with Helm itself, embedded (no
 * cluster, no network), and checks the objects a cluster would receive: every setting of the
 * service's configuration table reaches the container's environment under the name the service
 * reads, through the ConfigMap the pod loads; secrets are only ever references to existing
 * Secrets; the probes, the locked-down security context, the writable /tmp, the shutdown timing
 * and the per-flavour image, heap and resources are as the service needs them; each optional
 * object appears when switched on; and the checks that refuse a broken configuration do refuse it.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("k8s", "helm", "chat-relay");
    private static final Path ALL_FEATURES = CHART.resolve("ci/all-features-values.yaml");
    private static final String RELEASE = "rel";
    private static final String FULLNAME = "rel-chat-relay";
    // The embedded Helm assumes Kubernetes 1.20 unless told otherwise; the chart needs 1.30 or newer.
    private static final String KUBE_VERSION = "1.31.0";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * Every key under {@code config} in values.yaml, a distinctive value for it (none is a default)
     * and the environment variable that must carry it.
     */
    private static final List<Setting> SETTINGS = List.of(
            new Setting("persistTranscripts", false, "PERSIST_TRANSCRIPTS", "false"),
            new Setting("persistStreamingDeltas", true, "PERSIST_STREAMING_DELTAS", "true"),
            new Setting("historyBatchFlushMs", 321, "HISTORY_BATCH_FLUSH_MS", "321"),
            new Setting("streamingLease", "45s", "STREAMING_LEASE", "45s"),
            new Setting("dbUrl", "jdbc:postgresql://db.test:6543/relaytest", "DB_URL",
                    "jdbc:postgresql://db.test:6543/relaytest"),
            new Setting("retention.days", 17, "RETENTION_DAYS", "17"),
            new Setting("retention.sweepInterval", "17m", "RETENTION_SWEEP_INTERVAL", "17m"),
            new Setting("limits.maxConversationsPerSession", 42, "MAX_CONVERSATIONS_PER_SESSION", "42"),
            new Setting("limits.maxMessagesPerConversation", 4242, "MAX_MESSAGES_PER_CONVERSATION", "4242"),
            // Large enough that a float rendering would show as 7.340033e+06.
            new Setting("limits.maxBodyBytes", 7340033, "MAX_BODY_BYTES", "7340033"),
            new Setting("limits.maxToolIterations", 7, "MAX_TOOL_ITERATIONS", "7"),
            new Setting("limits.historyMaxMessages", 37, "HISTORY_MAX_MESSAGES", "37"),
            new Setting("rateLimit.max", 77, "RATE_LIMIT_MAX", "77"),
            new Setting("rateLimit.windowSeconds", 33, "RATE_LIMIT_WINDOW_SEC", "33"),
            new Setting("proxy.forwarding", true, "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true"),
            new Setting("proxy.trustedProxies", "10.1.2.0/24", "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "10.1.2.0/24"),
            new Setting("upstream.baseUrl", "https://llm.test/v9", "OPENAI_BASE_URL", "https://llm.test/v9"),
            new Setting("upstream.defaultModel", "model-under-test", "DEFAULT_MODEL", "model-under-test"),
            new Setting("upstream.connectTimeout", "3s", "UPSTREAM_CONNECT_TIMEOUT", "3s"),
            new Setting("upstream.firstByteTimeout", "95s", "UPSTREAM_FIRST_BYTE_TIMEOUT", "95s"),
            // Large enough that a float rendering would show in exponent form.
            new Setting("upstream.maxEventBytes", 2097153, "MAX_UPSTREAM_EVENT_BYTES", "2097153"),
            new Setting("upstream.maxBodyBytes", 33554433, "MAX_UPSTREAM_BODY_BYTES", "33554433"),
            new Setting("tavilyBaseUrl", "https://search.test", "TAVILY_BASE_URL", "https://search.test"),
            new Setting("allowedOrigin", "https://app.test,https://admin.test", "ALLOWED_ORIGIN",
                    "https://app.test,https://admin.test"),
            new Setting("logJson", true, "LOG_JSON", "true"),
            new Setting("shutdownDrainTimeout", "20s", "SHUTDOWN_DRAIN_TIMEOUT", "20s"),
            new Setting("dbTimeout", "3s", "DB_TIMEOUT", "3s"));

    /** Keys of values.yaml whose value is a Kubernetes object passed through as it is. */
    private static final Set<String> RAW_OBJECTS = Set.of("resources.native", "resources.jvm",
            "podSecurityContext", "securityContext", "ingress.streamingAnnotations", "grafanaDashboard.labels");

    private static final Set<String> SECRET_VARIABLES = Set.of("OPENAI_API_KEY", "TAVILY_API_KEY", "DB_USER",
            "DB_PASSWORD");

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------------------------------
    // Lint and the default render
    // ---------------------------------------------------------------------------------------

    @Test
    void lintPassesWithTheDefaults() {
        assertLintPasses(new Helm(CHART).lint().strict().call());
    }

    @Test
    void lintPassesWithEveryOptionalPartOn() throws IOException {
        // The embedded lint takes no values of its own: lint a copy whose values.yaml has them merged in.
        Path copy = copyOfChart();
        ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        merge(values, YAML.readTree(ALL_FEATURES.toFile()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);

        assertLintPasses(new Helm(copy).lint().strict().call());
        Manifests all = new Manifests(YAML, new Helm(copy).template().withName(RELEASE)
                .withKubeVersion(KUBE_VERSION).call());
        assertEquals(Set.of("ConfigMap", "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "ServiceMonitor", "Ingress", "NetworkPolicy"), all.kinds());
    }

    @Test
    void defaultsRenderTheDeploymentItsConfigMapServiceAccountServiceAndDisruptionBudget() {
        Manifests m = render("");
        assertEquals(Set.of("ConfigMap", "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget"),
                m.kinds());
        JsonNode deployment = m.one("Deployment");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        assertEquals("RollingUpdate", deployment.at("/spec/strategy/type").asText());
        assertEquals(0, deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt());
        assertEquals(1, deployment.at("/spec/strategy/rollingUpdate/maxSurge").asInt());

        JsonNode service = m.one("Service");
        assertEquals("ClusterIP", service.at("/spec/type").asText());
        assertEquals(80, service.at("/spec/ports/0/port").asInt());
        assertEquals("http", service.at("/spec/ports/0/targetPort").asText());
        assertEquals(deployment.at("/spec/selector/matchLabels"), service.at("/spec/selector"));

        JsonNode pdb = m.one("PodDisruptionBudget");
        assertEquals(1, pdb.at("/spec/maxUnavailable").asInt());
        assertEquals(deployment.at("/spec/selector/matchLabels"), pdb.at("/spec/selector/matchLabels"));
    }

    @Test
    void everyKeyOfValuesYamlHasACommentLine() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"), StandardCharsets.UTF_8);
        Pattern keyLine = Pattern.compile("^( *)([A-Za-z][\\w.-]*):(?: .*)?$");
        Deque<Map.Entry<Integer, String>> parents = new ArrayDeque<>();
        List<String> undocumented = new ArrayList<>();
        String previous = "";
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            while (!parents.isEmpty() && parents.peek().getKey() >= indent) {
                parents.pop();
            }
            String stripped = line.strip();
            if (stripped.startsWith("- ")) {
                parents.push(Map.entry(indent, "[]"));
            } else {
                Matcher key = keyLine.matcher(line);
                if (key.matches() && parents.stream().noneMatch(p -> p.getValue().equals("[]"))) {
                    List<String> names = new ArrayList<>(parents.stream().map(Map.Entry::getValue).toList());
                    Collections.reverse(names);
                    String parent = String.join(".", names);
                    boolean raw = RAW_OBJECTS.stream().anyMatch(r -> parent.equals(r) || parent.startsWith(r + "."));
                    String path = parent.isEmpty() ? key.group(2) : parent + "." + key.group(2);
                    if (!raw && !previous.strip().startsWith("#")) {
                        undocumented.add(path);
                    }
                    parents.push(Map.entry(indent, key.group(2)));
                }
            }
            previous = line;
        }
        assertEquals(List.of(), undocumented, "keys of values.yaml without a comment line above them");
    }

    // ---------------------------------------------------------------------------------------
    // Settings and secrets
    // ---------------------------------------------------------------------------------------

    @Test
    void everyConfigValueReachesTheContainerEnvironmentUnderTheNameTheServiceReads() throws IOException {
        JsonNode defaults = YAML.readTree(CHART.resolve("values.yaml").toFile()).get("config");
        assertEquals(leafPaths(defaults, ""), SETTINGS.stream().map(Setting::path).collect(Collectors.toSet()),
                "every key under config has a case here");

        Map<String, Object> config = new LinkedHashMap<>();
        SETTINGS.forEach(s -> put(config, s.path(), s.value()));
        Manifests m = render(YAML.writeValueAsString(Map.of("config", config)));

        Map<String, String> env = m.containerEnvironment();
        for (Setting s : SETTINGS) {
            assertEquals(s.expected(), env.get(s.variable()), s.variable() + " from config." + s.path());
        }
        // The proxy switch sets both of Quarkus' properties; a drain of 20s and a DB_TIMEOUT of 3s
        // give Quarkus 20 + 2 x 3 + 5 = 31s.
        assertEquals("true", env.get("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED"));
        assertEquals("31s", env.get("QUARKUS_SHUTDOWN_TIMEOUT"));
        // Nothing reaches the pod as plain env that should have gone through the ConfigMap.
        assertEquals(Set.of("OPENAI_API_KEY"), m.plainEnvNames());
    }

    @Test
    void defaultsKeepTheServiceDefaultsAndTheQuarkusShutdownLimit() {
        Map<String, String> env = render("").containerEnvironment();
        assertEquals("true", env.get("PERSIST_TRANSCRIPTS"));
        assertEquals("5242880", env.get("MAX_BODY_BYTES"));
        assertEquals("25s", env.get("SHUTDOWN_DRAIN_TIMEOUT"));
        assertEquals("5s", env.get("DB_TIMEOUT"));
        assertEquals("40s", env.get("QUARKUS_SHUTDOWN_TIMEOUT"),
                "as quarkus.shutdown.timeout in application.properties");
        assertFalse(env.containsKey("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING"), "forwarding is off by default");
    }

    @Test
    void tracingIsOffByDefaultAndExportsToTheConfiguredEndpointWhenOn() {
        Map<String, String> off = render("").containerEnvironment();
        assertEquals("true", off.get("QUARKUS_OTEL_SDK_DISABLED"));
        assertFalse(off.containsKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"));

        Map<String, String> on = render("""
                otel: {enabled: true, endpoint: "http://collector.test:4317", serviceName: relay-under-test}
                """).containerEnvironment();
        assertEquals("false", on.get("QUARKUS_OTEL_SDK_DISABLED"));
        assertEquals("http://collector.test:4317", on.get("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"));
        assertEquals("relay-under-test", on.get("QUARKUS_OTEL_SERVICE_NAME"));

        assertRenderFails("otel: {enabled: true}", "otel.endpoint");
    }

    @Test
    void extraEnvIsAddedToTheContainer() {
        Manifests m = render("extraEnv: [{name: QUARKUS_LOG_CATEGORY__IO_CHATRELAY_EXCHANGE__LEVEL, value: \"OFF\"}]");
        assertEquals("OFF", m.containerEnvironment().get("QUARKUS_LOG_CATEGORY__IO_CHATRELAY_EXCHANGE__LEVEL"));
    }

    @Test
    void secretsAreReferencesToExistingSecretsAndNeverValues() {
        Manifests m = render("""
                upstream: {existingSecret: provider-secret, apiKeyKey: provider-key}
                database: {existingSecret: db-secret, usernameKey: db-user-key, passwordKey: db-password-key}
                tavily: {existingSecret: search-secret, apiKeyKey: search-key}
                """);
        assertEquals(Map.of(
                "OPENAI_API_KEY", "provider-secret/provider-key",
                "DB_USER", "db-secret/db-user-key",
                "DB_PASSWORD", "db-secret/db-password-key",
                "TAVILY_API_KEY", "search-secret/search-key"), m.secretReferences());
        for (JsonNode env : m.container().path("env")) {
            if (SECRET_VARIABLES.contains(env.path("name").asText())) {
                assertTrue(env.path("value").isMissingNode(), env.path("name").asText() + " has no literal value");
            }
        }
        JsonNode configMapData = m.one("ConfigMap").path("data");
        SECRET_VARIABLES.forEach(v -> assertFalse(configMapData.has(v), v + " is not in the ConfigMap"));
        assertFalse(m.kinds().contains("Secret"), "the chart creates no Secret");
    }

    @Test
    void aSecretGivenAsAValueIsRefusedWithoutBeingEchoed() {
        // The schema allows no key that could carry a secret, so a misplaced one stops the render
        // instead of landing in a ConfigMap; the message names the key, never the value.
        String key = "sk-test-do-not-render-4a7f";
        for (String values : List.of("upstream: {apiKey: " + key + "}", "config: {openaiApiKey: " + key + "}",
                "database: {password: " + key + "}", "tavily: {apiKey: " + key + "}")) {
            Exception failure = assertThrows(Exception.class, () -> template(values), values);
            String message = String.valueOf(failure.getMessage());
            assertTrue(message.contains("additional properties"), message);
            assertFalse(message.contains(key), message);
        }
    }

    @Test
    void authIsOffByDefaultAndEachModeGetsWhatItNeeds() {
        Manifests off = render("");
        assertEquals("none", off.containerEnvironment().get("AUTH_MODE"));
        assertFalse(off.mounts().containsKey("auth-api-keys"));

        assertRenderFails("auth: {mode: api-key}", "auth.apiKeys.existingSecret");
        assertRenderFails("auth: {mode: jwt}", "auth.jwt.publicKeyLocation");
        assertRenderFails("auth: {mode: basic}", "mode");

        Manifests keys = render("""
                auth: {mode: api-key, apiKeys: {existingSecret: client-keys}, protectedPaths: [/q/metrics, /q/openapi]}
                """);
        Map<String, String> env = keys.containerEnvironment();
        assertEquals("api-key", env.get("AUTH_MODE"));
        assertEquals("/etc/chat-relay/auth/api-keys", env.get("AUTH_API_KEYS_FILE"));
        assertEquals("/q/metrics,/q/openapi", env.get("AUTH_PROTECTED_PATHS"));
        assertEquals("/etc/chat-relay/auth", keys.mounts().get("auth-api-keys"));
        assertEquals("client-keys", keys.volume("auth-api-keys").at("/secret/secretName").asText());

        Map<String, String> jwt = render("""
                auth: {mode: jwt, jwt: {publicKeyLocation: "https://idp.example.com/jwks.json", issuer: "https://idp.example.com"}}
                """).containerEnvironment();
        assertEquals("https://idp.example.com/jwks.json", jwt.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        assertEquals("https://idp.example.com", jwt.get("MP_JWT_VERIFY_ISSUER"));
        assertFalse(jwt.containsKey("AUTH_API_KEYS_FILE"));
    }

    @Test
    void theWebSearchKeyIsOptional() {
        Manifests m = render("");
        assertFalse(m.secretReferences().containsKey("TAVILY_API_KEY"));
        assertFalse(m.containerEnvironment().containsKey("TAVILY_API_KEY"));
    }

    @Test
    void theProviderKeySecretIsRequiredUnlessTheProviderIsKeyless() {
        assertRenderFails("upstream: {existingSecret: \"\"}", "upstream.existingSecret");
        Manifests keyless = render("upstream: {existingSecret: \"\", keyless: true}");
        assertFalse(keyless.secretReferences().containsKey("OPENAI_API_KEY"));
    }

    @Test
    void theDatabaseSecretIsRequiredOnlyWhenTranscriptsGoToPostgres() {
        assertRenderFails("database: {existingSecret: \"\"}", "database.existingSecret");

        Manifests off = render("database: {existingSecret: \"\"}\nconfig: {persistTranscripts: false}");
        assertFalse(off.secretReferences().containsKey("DB_PASSWORD"));

        Manifests files = render("""
                database: {existingSecret: ""}
                config: {dbUrl: "filejson:/var/lib/chat-relay"}
                replicas: 1
                """);
        assertFalse(files.secretReferences().containsKey("DB_USER"));
        assertFalse(files.secretReferences().containsKey("DB_PASSWORD"));
    }

    // ---------------------------------------------------------------------------------------
    // The pod
    // ---------------------------------------------------------------------------------------

    @Test
    void probesUseTheStartupReadinessAndLivenessEndpointsOnTheHttpPort() {
        JsonNode container = render("").container();
        assertEquals("http", container.at("/ports/0/name").asText());
        assertEquals(8080, container.at("/ports/0/containerPort").asInt());
        assertEquals("/q/health/started", container.at("/startupProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertEquals("http", container.at("/" + probe + "/httpGet/port").asText(), probe);
        }
    }

    @Test
    void podAndContainerRunLockedDown() {
        Manifests m = render("");
        JsonNode pod = m.podSpec();
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true));
        assertEquals(FULLNAME, pod.path("serviceAccountName").asText());
        assertFalse(m.one("ServiceAccount").path("automountServiceAccountToken").asBoolean(true));

        JsonNode sc = m.container().path("securityContext");
        assertTrue(sc.path("runAsNonRoot").asBoolean());
        assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals(List.of("ALL"), texts(sc.at("/capabilities/drop")));
        assertEquals("RuntimeDefault", sc.at("/seccompProfile/type").asText());
    }

    @Test
    void tmpIsAWritableEmptyDir() {
        Manifests m = render("");
        assertEquals("/tmp", m.mounts().get("tmp"));
        assertTrue(m.volume("tmp").has("emptyDir"));
        assertEquals(Set.of("tmp", "spool"), m.mounts().keySet(), "nothing else is writable with PostgreSQL");
    }

    @Test
    void theSpoolIsAVolumeAndSpoolDirPointsAtIt() {
        Manifests m = render("");
        assertEquals("/var/lib/chat-relay/spool", m.mounts().get("spool"));
        assertEquals("/var/lib/chat-relay/spool", m.containerEnvironment().get("SPOOL_DIR"));
        assertTrue(m.volume("spool").has("emptyDir"), "an emptyDir unless a claim is named");

        Manifests claim = render("spool: {existingClaim: spool-pvc, mountPath: /spool}");
        assertEquals("spool-pvc", claim.volume("spool").at("/persistentVolumeClaim/claimName").asText());
        assertEquals("/spool", claim.mounts().get("spool"));
        assertEquals("/spool", claim.containerEnvironment().get("SPOOL_DIR"));

        assertRenderFails("spool: {mountPath: spool}", "mountPath");
    }

    @Test
    void aFileJsonDirectoryGetsItsOwnVolumeAndASingleInstanceRolledOutByRecreate() {
        Manifests emptyDir = render("config: {dbUrl: \"filejson:/var/lib/chat-relay\"}\nreplicas: 1");
        assertEquals("/var/lib/chat-relay", emptyDir.mounts().get("transcripts"));
        assertTrue(emptyDir.volume("transcripts").has("emptyDir"));
        assertEquals("Recreate", emptyDir.one("Deployment").at("/spec/strategy/type").asText());

        Manifests claim = render("""
                config: {dbUrl: "filejson:/var/lib/chat-relay"}
                replicas: 1
                fileJson: {existingClaim: transcripts-pvc}
                """);
        assertEquals("transcripts-pvc", claim.volume("transcripts").at("/persistentVolumeClaim/claimName").asText());

        assertRenderFails("config: {dbUrl: \"filejson:/var/lib/chat-relay\"}", "single instance");
        assertRenderFails("""
                config: {dbUrl: "filejson:/var/lib/chat-relay"}
                replicas: 1
                autoscaling: {enabled: true}
                """, "single instance");
        assertRenderFails("config: {dbUrl: \"filejson:./data\"}\nreplicas: 1", "absolute path");
    }

    @Test
    void theConfigChecksumChangesWithAFlagAndOnlyThen() {
        String defaults = render("").checksum();
        assertTrue(defaults.matches("[0-9a-f]{64}"), defaults);
        assertEquals(defaults, render("").checksum(), "same values, same checksum");
        assertEquals(defaults, render("replicas: 3\npodAnnotations: {team: chat}").checksum(),
                "settings outside the ConfigMap leave it alone");
        assertNotEquals(defaults, render("config: {persistStreamingDeltas: true}").checksum());
        assertNotEquals(defaults, render("config: {retention: {days: 31}}").checksum());
    }

    @Test
    void theNativeFlavourRunsTheNativeImageWithItsHeapArgumentAndResources() {
        JsonNode container = render("image: {tag: \"2.3.4\"}\nheap: {native: 96m}").container();
        assertEquals("chat-relay:2.3.4", container.path("image").asText());
        assertEquals(List.of("-Xmx96m"), texts(container.path("args")));
        assertEquals("192Mi", container.at("/resources/requests/memory").asText());
        assertEquals("256Mi", container.at("/resources/limits/memory").asText());
        assertEquals("250m", container.at("/resources/requests/cpu").asText());
        assertTrue(container.path("command").isMissingNode(), "the image's entrypoint stays");

        assertEquals(List.of("-Xmx128m"), texts(render("").container().path("args")), "the default heap");
        assertEquals("chat-relay:1.0.0-SNAPSHOT", render("").container().path("image").asText(),
                "the tag defaults to the chart's appVersion");
    }

    @Test
    void theJvmFlavourRunsTheJvmImageWithItsResourcesAndKeepsJvmOptionsWhenTheHeapIsRaised() throws IOException {
        Manifests jvm = render("image: {flavour: jvm, jvm: {repository: registry.test/relay-jvm}}");
        JsonNode container = jvm.container();
        assertEquals("registry.test/relay-jvm:1.0.0-SNAPSHOT", container.path("image").asText());
        assertTrue(container.path("args").isMissingNode(), "-Xmx is no argument of run-java.sh");
        assertEquals("320Mi", container.at("/resources/requests/memory").asText());
        assertEquals("448Mi", container.at("/resources/limits/memory").asText());
        assertFalse(jvm.containerEnvironment().containsKey("JAVA_OPTS_APPEND"), "the image's own value stays");

        String raised = render("image: {flavour: jvm}\nheap: {jvm: 200m}").containerEnvironment()
                .get("JAVA_OPTS_APPEND");
        assertEquals(dockerfileJavaOptsAppend() + " -Xmx200m", raised,
                "the Dockerfile's JAVA_OPTS_APPEND (with jvm.options) followed by the heap");
    }

    @Test
    void shutdownWaitsForEndpointRemovalThenLeavesTheDrainItsTime() {
        JsonNode pod = render("").podSpec();
        assertEquals(60, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals(5, pod.at("/containers/0/lifecycle/preStop/sleep/seconds").asInt());
    }

    @Test
    void aTerminationGracePeriodThatDoesNotCoverPreStopDrainAndFinalWritesFailsTheRender() {
        // 5 s preStop + 25 s drain + 2 x 5 s DB_TIMEOUT + 5 s = 45 s: 45 is too short, 46 is enough.
        assertRenderFails("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds");
        assertRenderFails("config: {dbTimeout: 6s}\nterminationGracePeriodSeconds: 46", "terminationGracePeriodSeconds");
        assertEquals(46, render("terminationGracePeriodSeconds: 46").podSpec()
                .path("terminationGracePeriodSeconds").asInt());
        // The drain is read in each of Quarkus' duration forms.
        assertRenderFails("config: {shutdownDrainTimeout: 1m}", "terminationGracePeriodSeconds");
        assertRenderFails("config: {shutdownDrainTimeout: PT50S}", "terminationGracePeriodSeconds");
        assertRenderFails("preStopSleepSeconds: 30", "terminationGracePeriodSeconds");
        assertEquals("90s", render("config: {shutdownDrainTimeout: PT1M15S}\nterminationGracePeriodSeconds: 96")
                .containerEnvironment().get("QUARKUS_SHUTDOWN_TIMEOUT"));
    }

    // ---------------------------------------------------------------------------------------
    // Optional objects
    // ---------------------------------------------------------------------------------------

    @Test
    void theIngressLetsLongStreamsThroughAndKeepsUserAnnotations() {
        assertFalse(render("").kinds().contains("Ingress"));
        JsonNode ingress = render("""
                ingress:
                  enabled: true
                  className: nginx
                  annotations:
                    cert-manager.io/cluster-issuer: issuer-under-test
                    nginx.ingress.kubernetes.io/proxy-read-timeout: "7200"
                  hosts: [{host: chat.test, paths: [{path: /, pathType: Prefix}]}]
                  tls: [{secretName: chat-tls, hosts: [chat.test]}]
                """).one("Ingress");
        JsonNode annotations = ingress.at("/metadata/annotations");
        assertEquals("off", annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText());
        assertEquals("3600", annotations.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asText());
        assertEquals("7200", annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asText(),
                "a user annotation wins over the streaming default");
        assertEquals("issuer-under-test", annotations.path("cert-manager.io/cluster-issuer").asText());
        assertEquals("nginx", ingress.at("/spec/ingressClassName").asText());
        assertEquals("chat.test", ingress.at("/spec/rules/0/host").asText());
        assertEquals(FULLNAME, ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText());
        assertEquals("http", ingress.at("/spec/rules/0/http/paths/0/backend/service/port/name").asText());
        assertEquals("chat-tls", ingress.at("/spec/tls/0/secretName").asText());
    }

    @Test
    void autoscalingLeavesTheReplicaCountToTheHorizontalPodAutoscaler() {
        Manifests m = render(
                "autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 9, targetCPUUtilizationPercentage: 65}");
        assertTrue(m.one("Deployment").at("/spec/replicas").isMissingNode());
        JsonNode hpa = m.one("HorizontalPodAutoscaler");
        assertEquals("autoscaling/v2", hpa.path("apiVersion").asText());
        assertEquals(FULLNAME, hpa.at("/spec/scaleTargetRef/name").asText());
        assertEquals(3, hpa.at("/spec/minReplicas").asInt());
        assertEquals(9, hpa.at("/spec/maxReplicas").asInt());
        assertEquals("cpu", hpa.at("/spec/metrics/0/resource/name").asText());
        assertEquals(65, hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt());
    }

    @Test
    void theServiceMonitorScrapesTheMetricsEndpoint() {
        assertFalse(render("").kinds().contains("ServiceMonitor"));
        JsonNode monitor = render("serviceMonitor: {enabled: true, interval: 15s, labels: {release: prom}}")
                .one("ServiceMonitor");
        assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
        assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());
        assertEquals("http", monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("15s", monitor.at("/spec/endpoints/0/interval").asText());
        assertEquals("prom", monitor.at("/metadata/labels/release").asText());
    }

    @Test
    void theNetworkPolicyAdmitsOnlyTheHttpPortAndLetsOutOnlyDnsDatabaseAndProvider() {
        assertFalse(render("").kinds().contains("NetworkPolicy"));
        JsonNode policy = render("""
                networkPolicy:
                  enabled: true
                  ingress: {namespaces: [ingress-nginx]}
                  egress: {database: {ports: [6432]}, upstream: {ports: [8443]}}
                """).one("NetworkPolicy");
        assertEquals(List.of("Ingress", "Egress"), texts(policy.at("/spec/policyTypes")));
        assertEquals("http", policy.at("/spec/ingress/0/ports/0/port").asText());
        assertEquals(1, policy.at("/spec/ingress").size());
        List<String> namespaces = new ArrayList<>();
        policy.at("/spec/ingress/0/from").forEach(peer -> namespaces.add(
                peer.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()));
        assertTrue(namespaces.contains("ingress-nginx"), namespaces.toString());

        Set<String> egressPorts = new TreeSet<>();
        policy.at("/spec/egress").forEach(rule -> rule.path("ports")
                .forEach(p -> egressPorts.add(p.path("protocol").asText() + "/" + p.path("port").asText())));
        assertEquals(new TreeSet<>(Set.of("UDP/53", "TCP/53", "TCP/6432", "TCP/8443")), egressPorts);
    }

    @Test
    void aNetworkPolicyThatNamesNoIngressPeerIsRefusedUnlessOpenOnPurpose() {
        assertRenderFails("networkPolicy: {enabled: true}", "networkPolicy.ingress");
        assertRenderFails("networkPolicy: {enabled: true, ingress: {namespaces: [], from: []}}", "networkPolicy.ingress");

        JsonNode open = render("networkPolicy: {enabled: true, ingress: {allowFromAnywhere: true}}").one("NetworkPolicy");
        assertEquals("http", open.at("/spec/ingress/0/ports/0/port").asText());
        assertTrue(open.at("/spec/ingress/0/from").isMissingNode(), "any peer, on port 8080 only: " + open);
    }

    @Test
    void ingressPeersAreTheTestPodTheNamedNamespacesAndTheGivenSelectors() {
        JsonNode peers = render("""
                networkPolicy:
                  enabled: true
                  ingress:
                    namespaces: [monitoring]
                    from:
                      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                        podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
                """).one("NetworkPolicy").at("/spec/ingress/0/from");
        assertEquals(3, peers.size(), peers.toString());
        assertEquals(RELEASE, peers.at("/0/podSelector/matchLabels/app.kubernetes.io~1instance").asText());
        assertEquals("helm-test", peers.at("/0/podSelector/matchLabels/app.kubernetes.io~1component").asText());
        assertEquals("monitoring", peers.at("/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        // Both selectors in one peer: the controller's pods of that namespace, not the whole namespace.
        JsonNode controller = peers.get(2);
        assertEquals("ingress-nginx", controller.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        assertEquals("ingress-nginx", controller.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText());
    }

    @Test
    void theProviderIsReachableAtPublicAddressesOnlyUnlessItsPeersAreNamed() {
        String on = "networkPolicy: {enabled: true, ingress: {namespaces: [ingress-nginx]}";
        JsonNode byDefault = egressRuleForPort(render(on + "}"), 443);
        Map<String, List<String>> exceptions = new HashMap<>();
        byDefault.path("to").forEach(peer -> exceptions.put(peer.at("/ipBlock/cidr").asText(),
                texts(peer.at("/ipBlock/except"))));
        assertEquals(Set.of("0.0.0.0/0", "::/0"), exceptions.keySet(), byDefault.toString());
        assertTrue(exceptions.get("0.0.0.0/0").containsAll(List.of("10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12",
                "192.168.0.0/16", "169.254.0.0/16")), "no private, shared or link-local IPv4: " + exceptions);
        assertTrue(exceptions.get("::/0").containsAll(List.of("fc00::/7", "fe80::/10")),
                "no unique-local or link-local IPv6: " + exceptions);

        JsonNode inCluster = egressRuleForPort(render(on
                + ", egress: {upstream: {to: [{podSelector: {matchLabels: {app: ollama}}}], ports: [11434]}}}"), 11434);
        assertEquals(1, inCluster.path("to").size(), inCluster.toString());
        assertEquals("ollama", inCluster.at("/to/0/podSelector/matchLabels/app").asText());

        assertTrue(egressRuleForPort(render(on + ", egress: {upstream: {to: []}}}"), 443).path("to").isMissingNode(),
                "an empty list admits any address");
    }

    @Test
    void dnsAndTheDatabaseAreReachableWhereTheValuesSayAndTheDatabaseOnlyWhenUsed() {
        String on = "networkPolicy: {enabled: true, ingress: {namespaces: [ingress-nginx]}}\n";
        Manifests open = render(on);
        assertTrue(egressRuleForPort(open, 53).path("to").isMissingNode(), "DNS: any address by default");
        assertTrue(egressRuleForPort(open, 5432).path("to").isMissingNode(), "database: any address by default");

        Manifests named = render("""
                networkPolicy:
                  enabled: true
                  ingress: {namespaces: [ingress-nginx]}
                  egress:
                    dns:
                      to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                          podSelector: {matchLabels: {k8s-app: kube-dns}}
                    database:
                      to:
                        - podSelector: {matchLabels: {cnpg.io/cluster: chat-db}}
                """);
        assertEquals("kube-dns", egressRuleForPort(named, 53).at("/to/0/podSelector/matchLabels/k8s-app").asText());
        assertEquals("chat-db",
                egressRuleForPort(named, 5432).at("/to/0/podSelector/matchLabels/cnpg.io~1cluster").asText());

        // Transcripts in files, or none: no way out to a database port.
        for (String backend : List.of("config: {dbUrl: \"filejson:/data/transcripts\"}\nreplicas: 1\n",
                "config: {persistTranscripts: false}\n")) {
            JsonNode egress = render(on + backend).one("NetworkPolicy").at("/spec/egress");
            assertEquals(2, egress.size(), "DNS and the provider only: " + egress);
        }
    }

    @Test
    void theDisruptionBudgetCanBeSwitchedOff() {
        assertTrue(render("").kinds().contains("PodDisruptionBudget"));
        assertFalse(render("podDisruptionBudget: {enabled: false}").kinds().contains("PodDisruptionBudget"));
        assertEquals("25%", render("podDisruptionBudget: {maxUnavailable: \"25%\"}").one("PodDisruptionBudget")
                .at("/spec/maxUnavailable").asText());
    }

    @Test
    void theGrafanaDashboardShipsAsALabelledConfigMapOverTheServiceMetrics() throws IOException {
        Manifests m = render("grafanaDashboard: {enabled: true}");
        JsonNode configMap = m.all("ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().equals(FULLNAME + "-dashboard"))
                .findFirst().orElseThrow(() -> new AssertionError("no dashboard ConfigMap"));
        assertEquals("1", configMap.at("/metadata/labels/grafana_dashboard").asText());

        JsonNode dashboard = new ObjectMapper().readTree(configMap.at("/data/chat-relay.json").asText());
        String queries = StreamSupport.stream(dashboard.path("panels").spliterator(), false)
                .flatMap(p -> StreamSupport.stream(p.path("targets").spliterator(), false))
                .map(t -> t.path("expr").asText())
                .collect(Collectors.joining("\n"));
        for (String metric : List.of("chatrelay_streams_active", "chatrelay_messages_persisted_total",
                "chatrelay_persistence_failures_total", "chatrelay_persistence_write_seconds_bucket",
                "chatrelay_upstream_requests_total", "chatrelay_upstream_first_byte_seconds_bucket",
                "http_server_requests_seconds_count")) {
            assertTrue(queries.contains(metric), "a panel over " + metric);
        }
        // Each chatrelay_ series is one the service registers (Micrometer name, dots for underscores).
        String meters = Files.readString(Path.of("src/main/java/io/chatrelay/metrics/RelayMetrics.java"));
        Matcher series = Pattern.compile("chatrelay_[a-z_]+").matcher(queries);
        while (series.find()) {
            String meter = series.group().replaceAll("(_seconds)?(_total|_bucket|_count|_sum)$", "").replace('_', '.');
            assertTrue(meters.contains("\"" + meter + "\""), series.group() + " is not a meter of RelayMetrics");
        }

        assertEquals("grafana", render("grafanaDashboard: {enabled: true, labels: {dashboards: grafana}}")
                .all("ConfigMap").stream().filter(c -> c.at("/metadata/name").asText().endsWith("-dashboard"))
                .findFirst().orElseThrow().at("/metadata/labels/dashboards").asText(), "labels are configurable");
    }

    @Test
    void theHelmTestHookPodCallsHealthzThroughTheService() throws IOException {
        // A hook is not part of the release manifest, which is all the embedded template returns.
        assertFalse(template("").contains("test-healthz"), "the test pod is a hook, not an object of the release");

        // Rendered from a copy whose hook annotation is renamed, so it comes out as a plain object.
        Path copy = copyOfChart();
        Path hook = copy.resolve("templates/tests/healthz.yaml");
        Files.writeString(hook, Files.readString(hook).replace("helm.sh/hook:", "chart-under-test/hook:"));
        Manifests m = new Manifests(YAML, new Helm(copy).template().withName(RELEASE)
                .withKubeVersion(KUBE_VERSION).call());
        JsonNode pod = m.all("Pod").stream().findFirst().orElseThrow(() -> new AssertionError("no test pod"));

        assertEquals("test", pod.at("/metadata/annotations/chart-under-test~1hook").asText());
        assertEquals("Never", pod.at("/spec/restartPolicy").asText());
        JsonNode container = pod.at("/spec/containers/0");
        assertEquals("busybox:1.37", container.path("image").asText());
        assertEquals("http://" + FULLNAME + ":80/healthz", texts(container.path("command")).getLast());
        assertTrue(pod.at("/spec/securityContext/runAsNonRoot").asBoolean());
        assertEquals("RuntimeDefault", pod.at("/spec/securityContext/seccompProfile/type").asText());
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
        assertEquals(List.of("ALL"), texts(container.at("/securityContext/capabilities/drop")));

        JsonNode selector = m.one("Service").at("/spec/selector");
        boolean selected = true;
        for (Map.Entry<String, JsonNode> label : selector.properties()) {
            selected &= label.getValue().equals(pod.at("/metadata/labels").get(label.getKey()));
        }
        assertFalse(selected, "the Service must not send traffic to the test pod");
    }

    @Test
    void theCloudNativePgExampleWiresTheChartToTheClusterItDefines() throws IOException {
        JsonNode cluster = YAML.readTree(Path.of("k8s/examples/cnpg-cluster.yaml").toFile());
        assertEquals("postgresql.cnpg.io/v1", cluster.path("apiVersion").asText());
        assertEquals("Cluster", cluster.path("kind").asText());
        assertEquals(3, cluster.at("/spec/instances").asInt());
        assertEquals("chat", cluster.at("/spec/bootstrap/initdb/database").asText());
        assertEquals("chat", cluster.at("/spec/bootstrap/initdb/owner").asText());
        String name = cluster.at("/metadata/name").asText();

        Manifests m = new Manifests(YAML,
                helmTemplate().withValuesFile(Path.of("k8s/examples/values-cnpg.yaml")).call());
        // CloudNativePG names the primary's Service <cluster>-rw and the owner's Secret <cluster>-app.
        assertEquals("jdbc:postgresql://" + name + "-rw:5432/chat", m.containerEnvironment().get("DB_URL"));
        assertEquals(name + "-app/username", m.secretReferences().get("DB_USER"));
        assertEquals(name + "-app/password", m.secretReferences().get("DB_PASSWORD"));
    }

    // ---------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------

    private record Setting(String path, Object value, String variable, String expected) {
    }

    /** The objects of one render. */
    private record Manifests(List<JsonNode> objects) {

        Manifests(ObjectMapper yaml, String output) {
            this(parse(yaml, output));
        }

        private static List<JsonNode> parse(ObjectMapper yaml, String output) {
            try (var documents = yaml.readerFor(JsonNode.class).<JsonNode>readValues(output)) {
                List<JsonNode> objects = new ArrayList<>();
                while (documents.hasNext()) {
                    JsonNode document = documents.next();
                    if (document != null && document.isObject()) {
                        objects.add(document);
                    }
                }
                return objects;
            } catch (IOException e) {
                throw new AssertionError("the render is not YAML:\n" + output, e);
            }
        }

        Set<String> kinds() {
            return objects.stream().map(o -> o.path("kind").asText()).collect(Collectors.toSet());
        }

        List<JsonNode> all(String kind) {
            return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        }

        JsonNode one(String kind) {
            List<JsonNode> found = all(kind);
            assertEquals(1, found.size(), "one " + kind);
            return found.getFirst();
        }

        JsonNode podSpec() {
            return one("Deployment").at("/spec/template/spec");
        }

        JsonNode container() {
            JsonNode containers = podSpec().path("containers");
            assertEquals(1, containers.size());
            return containers.get(0);
        }

        String checksum() {
            return one("Deployment").at("/spec/template/metadata/annotations/checksum~1config").asText();
        }

        /** What the process sees: the data of each ConfigMap loaded by envFrom, then the literal env entries. */
        Map<String, String> containerEnvironment() {
            Map<String, String> env = new HashMap<>();
            for (JsonNode source : container().path("envFrom")) {
                String name = source.at("/configMapRef/name").asText();
                JsonNode configMap = all("ConfigMap").stream()
                        .filter(c -> c.at("/metadata/name").asText().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("envFrom names a ConfigMap not rendered: " + name));
                configMap.path("data").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
            }
            for (JsonNode entry : container().path("env")) {
                if (entry.has("value")) {
                    env.put(entry.path("name").asText(), entry.path("value").asText());
                }
            }
            return env;
        }

        /** Variable -> {@code secret/key} of each env entry read from a Secret. */
        Map<String, String> secretReferences() {
            Map<String, String> refs = new HashMap<>();
            for (JsonNode entry : container().path("env")) {
                JsonNode ref = entry.at("/valueFrom/secretKeyRef");
                if (!ref.isMissingNode()) {
                    refs.put(entry.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
                }
            }
            return refs;
        }

        /** Names of the container's own env entries (not from the ConfigMap). */
        Set<String> plainEnvNames() {
            Set<String> names = new LinkedHashSet<>();
            container().path("env").forEach(e -> names.add(e.path("name").asText()));
            return names;
        }

        /** Volume name -> mount path. */
        Map<String, String> mounts() {
            Map<String, String> mounts = new LinkedHashMap<>();
            container().path("volumeMounts")
                    .forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
            return mounts;
        }

        JsonNode volume(String name) {
            for (JsonNode volume : podSpec().path("volumes")) {
                if (volume.path("name").asText().equals(name)) {
                    return volume;
                }
            }
            throw new AssertionError("no volume " + name);
        }
    }

    /** The NetworkPolicy's egress rule that opens the given TCP port. */
    private static JsonNode egressRuleForPort(Manifests manifests, int port) {
        for (JsonNode rule : manifests.one("NetworkPolicy").at("/spec/egress")) {
            for (JsonNode p : rule.path("ports")) {
                if (p.path("port").asInt() == port && p.path("protocol").asText().equals("TCP")) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no egress rule for TCP port " + port);
    }

    private TemplateCommand helmTemplate() {
        return new Helm(CHART).template().withName(RELEASE).withNamespace("chat").withKubeVersion(KUBE_VERSION);
    }

    private String template(String valuesYaml) {
        TemplateCommand command = helmTemplate();
        if (!valuesYaml.isBlank()) {
            command = command.withValuesFile(valuesFile(valuesYaml));
        }
        return command.call();
    }

    private Manifests render(String valuesYaml) {
        return new Manifests(YAML, template(valuesYaml));
    }

    private void assertRenderFails(String valuesYaml, String expectedInMessage) {
        Exception failure = assertThrows(Exception.class, () -> template(valuesYaml),
                "the render should fail for:\n" + valuesYaml);
        assertTrue(String.valueOf(failure.getMessage()).contains(expectedInMessage),
                "the failure names " + expectedInMessage + ": " + failure.getMessage());
    }

    private Path valuesFile(String yaml) {
        try {
            Path file = Files.createTempFile(tmp, "values-", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertLintPasses(LintResult result) {
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
        List<String> problems = result.getMessages().stream()
                .filter(m -> m.contains("[WARNING]") || m.contains("[ERROR]")).toList();
        assertEquals(List.of(), problems);
    }

    private Path copyOfChart() throws IOException {
        Path copy = tmp.resolve("chat-relay");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return copy;
    }

    /** JAVA_OPTS_APPEND as src/main/docker/Dockerfile.jvm sets it. */
    private static String dockerfileJavaOptsAppend() throws IOException {
        Matcher env = Pattern.compile("(?m)^ENV JAVA_OPTS_APPEND=\"([^\"]*)\"")
                .matcher(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")));
        if (!env.find()) {
            fail("Dockerfile.jvm sets no JAVA_OPTS_APPEND");
        }
        return env.group(1);
    }

    private static Set<String> leafPaths(JsonNode node, String prefix) {
        Set<String> paths = new TreeSet<>();
        node.properties().forEach(field -> {
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject()) {
                paths.addAll(leafPaths(field.getValue(), path));
            } else {
                paths.add(path);
            }
        });
        return paths;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String path, Object value) {
        String[] keys = path.split("\\.");
        Map<String, Object> map = root;
        for (int i = 0; i < keys.length - 1; i++) {
            map = (Map<String, Object>) map.computeIfAbsent(keys[i], k -> new LinkedHashMap<String, Object>());
        }
        map.put(keys[keys.length - 1], value);
    }

    private static void merge(ObjectNode target, JsonNode overrides) {
        overrides.properties().forEach(field -> {
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue());
            }
        });
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}

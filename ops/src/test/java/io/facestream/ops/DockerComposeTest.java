package io.facestream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** No Docker engine runs here, so docker-compose.yml is checked against the code instead of being started. */
class DockerComposeTest {
    /** Surefire runs in the module directory (ops/); the compose file is at the repository root. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** The monitoring kit's own images (ops/observability): not facestream commands. */
    private static final List<String> MONITORING = List.of("prometheus", "grafana");

    @Test
    void kafkaImageMatchesTheKafkaVersionWeBuildAgainst() throws Exception {
        JsonNode compose = compose();
        Properties build = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/facestream/build.properties")) {
            build.load(in);
        }
        assertEquals(
                "apache/kafka:" + build.getProperty("kafka.version"),
                compose.at("/services/kafka/image").asText());
    }

    @Test
    void kafkaPortAndListenerMatchWhatServicesUse() throws Exception {
        JsonNode kafka = compose().at("/services/kafka");
        int defaultPort = FacestreamConfig.defaults().getInt("kafka.port");
        assertEquals(defaultPort + ":" + defaultPort, kafka.at("/ports/0").asText());
        assertEquals(
                "PLAINTEXT://kafka:" + defaultPort,
                kafka.at("/environment/KAFKA_ADVERTISED_LISTENERS").asText());
        for (String service : serviceNames()) {
            List<String> cmd = command(service);
            int i = cmd.indexOf("--bootstrap");
            if (i >= 0) {
                assertEquals("kafka:" + defaultPort, cmd.get(i + 1), service + " points at the compose broker");
            }
        }
    }

    @Test
    void theApiPortIsTheOneMatchServesOn() throws Exception {
        int apiPort = FacestreamConfig.defaults().getInt("api.port");
        assertEquals(
                "127.0.0.1:" + apiPort + ":" + apiPort,
                compose().at("/services/match/ports/0").asText(),
                "the plain-HTTP API is published on the host's loopback only");
        assertEquals(
                List.of(
                        "match",
                        "--bootstrap",
                        "kafka:" + FacestreamConfig.defaults().getInt("kafka.port"),
                        "--host",
                        "0.0.0.0",
                        "--set",
                        "management.host=0.0.0.0"),
                command("match"));
    }

    @Test
    void everyServiceCommandIsAValidFacestreamCommandLine() throws Exception {
        List<String> services = serviceNames();
        assertFalse(services.isEmpty());
        for (String service : services) {
            assertEquals(
                    "facestream:dev",
                    compose().at("/services/" + service + "/image").asText(),
                    service);
            List<String> cmd = command(service);
            // parseArgs validates the subcommand and every option without running anything
            CommandLine.ParseResult parsed = new CommandLine(new FacestreamCli()).parseArgs(cmd.toArray(String[]::new));
            assertTrue(parsed.hasSubcommand(), service + ": " + cmd);
            assertEquals(cmd.get(0), parsed.subcommand().commandSpec().name(), service);
        }
        assertTrue(
                Files.isRegularFile(ROOT.resolve("ops/docker/Dockerfile")), "the image compose refers to can be built");
    }

    /** Prometheus scrapes the management port of every long-running service, which listens on the compose network. */
    @Test
    void prometheusScrapesTheManagementPortOfEveryService() throws Exception {
        int managementPort = FacestreamConfig.defaults().getInt("management.port");
        List<String> expected = new ArrayList<>();
        for (String service : serviceNames()) {
            if (service.equals("topics")) {
                continue; // makes the topics and exits
            }
            expected.add(service + ":" + managementPort);
            List<String> cmd = command(service);
            int i = cmd.indexOf("management.host=0.0.0.0");
            assertTrue(
                    i > 0 && cmd.get(i - 1).equals("--set"),
                    service + " opens its management port to the compose network: " + cmd);
        }
        JsonNode prometheus = Json.yaml()
                .readTree(ROOT.resolve("ops/observability/prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        for (JsonNode job : prometheus.get("scrape_configs")) {
            assertEquals("/metrics", job.get("metrics_path").asText());
            job.get("static_configs").forEach(c -> c.get("targets").forEach(t -> targets.add(t.asText())));
        }
        assertEquals(expected, targets);
        JsonNode service = compose().at("/services/prometheus");
        List<String> mounts = new ArrayList<>();
        service.get("volumes").forEach(v -> mounts.add(v.asText()));
        assertTrue(
                mounts.contains("./ops/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro"),
                mounts.toString());
        String rules = prometheus.at("/rule_files/0").asText();
        assertTrue(
                mounts.contains("./ops/observability/alerts.yml:/etc/prometheus/" + rules + ":ro"),
                rules + " is mounted: " + mounts);
        for (String monitoring : MONITORING) {
            compose().at("/services/" + monitoring + "/volumes").forEach(v -> {
                String host = v.asText().split(":")[0];
                if (host.startsWith("./")) {
                    assertTrue(
                            Files.exists(ROOT.resolve(host.substring(2))),
                            monitoring + " mounts " + host + ", which exists");
                }
            });
            assertTrue(
                    compose()
                            .at("/services/" + monitoring + "/ports/0")
                            .asText()
                            .startsWith("127.0.0.1:"),
                    monitoring + " is published on the host's loopback only");
        }
    }

    /**
     * Every facestream service that serves a port is checked by the image's script on its management port (compose
     * names the port, so a service moved to another port fails here); the topics job serves none and exits.
     */
    @Test
    void everyServiceHasAHealthCheckOnThePortItServes() throws Exception {
        int managementPort = FacestreamConfig.defaults().getInt("management.port");
        for (String service : serviceNames()) {
            JsonNode check = compose().at("/services/" + service + "/healthcheck");
            if (service.equals("topics")) {
                assertEquals(List.of("topics", "--bootstrap", "kafka:9092"), command(service));
                assertTrue(check.path("disable").asBoolean(), "the topics job serves no port: " + check);
                continue;
            }
            assertEquals(
                    List.of("CMD", "/opt/facestream/bin/healthcheck", "127.0.0.1", Integer.toString(managementPort)),
                    strings(check.get("test")),
                    service);
            assertFalse(command(service).contains("--management-port"), service + " serves the default port");
            assertTrue(check.has("start_period") && check.has("timeout"), service + ": " + check);
        }
        int kafkaPort = FacestreamConfig.defaults().getInt("kafka.port");
        assertEquals(
                List.of(
                        "CMD",
                        "/opt/kafka/bin/kafka-broker-api-versions.sh",
                        "--bootstrap-server",
                        "localhost:" + kafkaPort),
                strings(compose().at("/services/kafka/healthcheck/test")),
                "the broker's own tool, on its listener");
        for (String monitoring : MONITORING) {
            JsonNode service = compose().at("/services/" + monitoring);
            String[] published = service.at("/ports/0").asText().split(":");
            String containerPort = published[published.length - 1];
            List<String> test = strings(service.at("/healthcheck/test"));
            assertEquals(List.of("CMD", "wget", "-q", "-O", "/dev/null"), test.subList(0, 5), monitoring);
            assertTrue(
                    test.get(5).startsWith("http://127.0.0.1:" + containerPort + "/"),
                    monitoring + " is checked on the port it serves: " + test);
        }
    }

    /** Start order by health: nothing waits on a container that merely started. */
    @Test
    void dependenciesWaitForHealthOrForTheTopicsJobToFinish() throws Exception {
        JsonNode services = compose().get("services");
        int waits = 0;
        for (var it = services.fields(); it.hasNext(); ) {
            var service = it.next();
            JsonNode deps = service.getValue().get("depends_on");
            if (deps == null) {
                continue;
            }
            assertTrue(deps.isObject(), service.getKey() + ": depends_on names a condition per service");
            for (var dep = deps.fields(); dep.hasNext(); ) {
                var d = dep.next();
                String condition = d.getValue().path("condition").asText();
                if (d.getKey().equals("topics")) {
                    assertEquals("service_completed_successfully", condition, service.getKey());
                } else {
                    assertEquals("service_healthy", condition, service.getKey() + " on " + d.getKey());
                    JsonNode check = services.path(d.getKey()).path("healthcheck");
                    assertTrue(
                            check.has("test") && !check.path("disable").asBoolean(),
                            d.getKey() + " has a health check to wait for");
                }
                waits++;
            }
            if (command(service.getKey()).contains("--bootstrap")
                    || command(service.getKey()).stream().anyMatch(a -> a.startsWith("kafka.bootstrap="))) {
                assertEquals(
                        "service_healthy",
                        deps.at("/kafka/condition").asText(),
                        service.getKey() + " waits for the broker");
                if (!service.getKey().equals("topics")) {
                    assertEquals(
                            "service_completed_successfully",
                            deps.at("/topics/condition").asText(),
                            service.getKey() + " waits for the topics");
                }
            }
        }
        assertTrue(waits >= 10, "dependencies checked: " + waits);
    }

    /** docker-compose.cuda.yml swaps the image of the model-running services for the CUDA build, with a GPU each. */
    @Test
    void theCudaOverrideRunsTheModelServicesOnTheCudaImage() throws Exception {
        JsonNode cuda =
                Json.yaml().readTree(ROOT.resolve("docker-compose.cuda.yml").toFile());
        List<String> overridden = new ArrayList<>();
        cuda.get("services").fieldNames().forEachRemaining(overridden::add);
        assertEquals(List.of("embed", "match"), overridden);
        for (String service : overridden) {
            assertFalse(compose().at("/services/" + service).isMissingNode(), service + " is a compose service");
            assertEquals(
                    "facestream:cuda",
                    cuda.at("/services/" + service + "/image").asText());
            JsonNode device = cuda.at("/services/" + service + "/deploy/resources/reservations/devices/0");
            assertEquals("nvidia", device.get("driver").asText(), service);
            assertEquals(List.of("gpu"), strings(device.get("capabilities")), service);
        }
        String build = "docker build -t facestream:cuda --build-arg VARIANT=cuda -f ops/docker/Dockerfile .";
        assertTrue(Files.readString(ROOT.resolve("docker-compose.cuda.yml")).contains(build));
        assertTrue(Files.readString(ROOT.resolve("ops/docker/Dockerfile")).contains(build));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode compose() throws Exception {
        return Json.yaml().readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    private static List<String> serviceNames() throws Exception {
        List<String> names = new ArrayList<>();
        compose().get("services").fieldNames().forEachRemaining(n -> {
            if (!n.equals("kafka") && !MONITORING.contains(n)) {
                names.add(n);
            }
        });
        return names;
    }

    private static List<String> command(String service) throws Exception {
        List<String> cmd = new ArrayList<>();
        compose().at("/services/" + service + "/command").forEach(n -> cmd.add(n.asText()));
        return cmd;
    }
}

package io.facestream.ops.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.ManagementServer;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.match.runtime.MatchService;
import java.io.File;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring kit of ops/observability against the real thing: {@code promtool} checks the committed Prometheus
 * configuration and alert rules, and Debian's {@code prometheus} scrapes a running {@code up} (every service in this
 * JVM, its own embedded broker, the management port on a free port) with those rules loaded. Every metric the Grafana
 * dashboard and the alert rules name must come back from Prometheus's API after a little traffic, except the few
 * listed in {@link #NEEDS_MORE}. CI installs the {@code prometheus} package (.ci/run); without it these tests skip.
 */
@Integration
class MonitoringKitTest {
    /** Surefire runs in the module directory (ops/); the kit is at ops/observability. */
    private static final Path KIT = Path.of("observability").toAbsolutePath();

    /** Names the dashboard uses that this test's traffic does not produce, and why. */
    private static final Map<String, String> NEEDS_MORE = Map.of(
            "facestream_embed_faces_rejected_total", "only once a face fails the quality gate",
            "facestream_gallery_vectors", "only once a gallery has an enrolled face");

    @Test
    void promtoolAcceptsTheConfigurationAndTheAlertRules() throws Exception {
        String promtool = binary("promtool");
        assertEquals(
                0,
                run(List.of(
                        promtool,
                        "check",
                        "config",
                        KIT.resolve("prometheus.yml").toString())));
        assertEquals(
                0,
                run(List.of(
                        promtool, "check", "rules", KIT.resolve("alerts.yml").toString())));
    }

    @Test
    void prometheusScrapesUpAndFindsEveryMetricTheDashboardAndTheAlertsUse(@TempDir Path dir) throws Exception {
        String prometheus = binary("prometheus");
        Set<String> names = new TreeSet<>();
        JsonNode dashboard = Json.mapper()
                .readTree(KIT.resolve("grafana/dashboards/facestream.json").toFile());
        dashboard
                .get("panels")
                .forEach(p -> p.get("targets")
                        .forEach(t -> names.addAll(metricNames(t.get("expr").asText()))));
        int dashboardNames = names.size();
        JsonNode rules = Json.yaml().readTree(KIT.resolve("alerts.yml").toFile());
        rules.get("groups")
                .forEach(g -> g.get("rules")
                        .forEach(r -> names.addAll(metricNames(r.get("expr").asText()))));
        assertTrue(dashboardNames > 20 && names.containsAll(NEEDS_MORE.keySet()), names.toString());

        String run = UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = ServiceMetricsTest.settings(dir, run)
                .with(Map.of(
                        "kafka.port", 0, "kafka.data-dir", dir.resolve("kafka").toString()));
        try (AllInOne up = AllInOne.start(config);
                ManagementServer management = ManagementServer.start(config, up.health())) {
            int web = freePort();
            Path yml = dir.resolve("prometheus.yml");
            Files.writeString(yml, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: facestream
                        metrics_path: /metrics
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(KIT.resolve("alerts.yml"), management.port()));
            Process server = new ProcessBuilder(
                            prometheus,
                            "--config.file=" + yml,
                            "--storage.tsdb.path=" + dir.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + web)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                String api = "http://127.0.0.1:" + web + "/api/v1/";
                awaitValue(api, "up{job=\"facestream\"}", "1", Duration.ofSeconds(60), dir);

                MatchService match = up.service(MatchService.class).orElseThrow();
                match.awaitRunning(Duration.ofSeconds(60));
                String base = "http://127.0.0.1:" + match.apiPort();
                assertEquals(
                        201,
                        ServiceTraffic.post(
                                base + "/api/galleries", ServiceMetricsTest.ADMIN, "{\"name\":\"watch-" + run + "\"}"));
                ServiceTraffic.get(base + "/api/galleries", ServiceMetricsTest.ADMIN);
                ServiceTraffic.frames(up.bootstrapServers(), "kit-" + run, 4);
                ServiceTraffic.faces(up.bootstrapServers(), "kit-faces-" + run, 4);
                System.gc(); // a GC pause for jvm_gc_pause_seconds

                List<String> missing = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 120_000;
                do {
                    missing.clear();
                    for (String name : names) {
                        if (!NEEDS_MORE.containsKey(name)
                                && query(api, "count({__name__=\"" + name + "\"})")
                                        .isEmpty()) {
                            missing.add(name);
                        }
                    }
                    Thread.sleep(1000);
                } while (!missing.isEmpty() && System.currentTimeMillis() < deadline);
                assertEquals(
                        List.of(),
                        missing,
                        "metrics the dashboard or the alerts use and Prometheus does not have; the end of its log: "
                                + tail(Files.readString(dir.resolve("prometheus.log"))));

                awaitValue(api, "facestream_ready", "1", Duration.ofSeconds(60), dir);
                JsonNode loaded = get(api + "rules").at("/data/groups/0");
                assertEquals("facestream", loaded.get("name").asText());
                assertEquals(
                        rules.at("/groups/0/rules").size(), loaded.get("rules").size());
                for (JsonNode rule : loaded.get("rules")) {
                    assertTrue(
                            !rule.has("health") || !rule.get("health").asText().equals("err"), rule.toString());
                }
            } finally {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
    }

    /** The metric names of a PromQL expression (facestream's, the JVM's, Kafka's, Vert.x's and {@code up}). */
    static Set<String> metricNames(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(up|(?:facestream|jvm|kafka|process|system|vertx)_[a-z0-9_]+)\\b(?!\\s*\\()")
                .matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static void awaitValue(String api, String expr, String value, Duration timeout, Path dir) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        List<JsonNode> result = List.of();
        while (System.currentTimeMillis() < deadline) {
            result = query(api, expr);
            if (!result.isEmpty() && result.getFirst().at("/value/1").asText().equals(value)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(expr + " is not " + value + " after " + timeout + ": " + result
                + "; the end of Prometheus's log: " + tail(Files.readString(dir.resolve("prometheus.log"))));
    }

    private static String tail(String log) {
        return log.length() <= 3000 ? log : "…" + log.substring(log.length() - 3000);
    }

    private static List<JsonNode> query(String api, String expr) throws Exception {
        JsonNode body;
        try {
            body = get(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        } catch (java.io.IOException | AssertionError notYet) {
            return List.of(); // Prometheus is still starting
        }
        List<JsonNode> out = new ArrayList<>();
        body.at("/data/result").forEach(out::add);
        return out;
    }

    private static JsonNode get(String url) throws Exception {
        return Json.mapper().readTree(ServiceTraffic.get(url, null));
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        System.out.println(String.join(" ", command) + ":\n" + out);
        return rc;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The binary on PATH; the test skips, saying what to install, where it is missing. */
    private static String binary(String name) {
        Optional<Path> found = Stream.of(
                        System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
        Assumptions.assumeTrue(
                found.isPresent(), name + " is not installed: apt-get install prometheus (CI installs it, .ci/run)");
        return found.get().toString();
    }
}

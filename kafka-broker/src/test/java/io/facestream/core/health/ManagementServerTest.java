package io.facestream.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.testing.Integration;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management port against a broker this test owns: ready while the broker answers, 503 while it is down, ready
 * again once it is back (same data directory and port, as after a broker restart); live all along.
 */
@Integration
class ManagementServerTest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void readyFollowsTheBrokerDownAndBackWhileLiveStaysUp(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
        try (BrokerProbe probe = BrokerProbe.start(kafka.bootstrapServers(), Duration.ofMillis(500));
                ManagementServer server =
                        ManagementServer.start("127.0.0.1", 0, new HealthRegistry().register("broker", probe))) {
            String base = "http://127.0.0.1:" + server.port();
            awaitStatus(base + "/health/ready", 200, Duration.ofSeconds(30));

            kafka.close();
            long down = System.nanoTime();
            HttpResponse<String> notReady = awaitStatus(base + "/health/ready", 503, Duration.ofSeconds(30));
            assertTrue(get(base + "/metrics").body().contains("\nfacestream_ready 0.0\n"), "the scraper sees it too");
            System.out.printf("ready turned 503 %.1f s after the broker stopped%n", (System.nanoTime() - down) / 1e9);
            var body = io.facestream.core.json.Json.mapper().readTree(notReady.body());
            assertEquals("DOWN", body.get("status").asText(), notReady.body());
            assertEquals(
                    "DOWN", body.get("components").get("broker").get("status").asText(), notReady.body());
            assertEquals(
                    200,
                    get(base + "/health/live").statusCode(),
                    "a broker away is not a reason to restart this process");

            kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
            long back = System.nanoTime();
            awaitStatus(base + "/health/ready", 200, Duration.ofSeconds(60));
            System.out.printf("ready again %.1f s after the broker restarted%n", (System.nanoTime() - back) / 1e9);

            HttpResponse<String> metrics = get(base + "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(
                    metrics.body().contains("\nfacestream_ready 1.0\n")
                            && metrics.body().contains("\nfacestream_live 1.0\n"),
                    metrics.body());
            assertTrue(
                    metrics.body().contains("\njvm_memory_used_bytes{"), "the JVM's meters are bound without asking");
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals(
                    405,
                    http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            assertEquals(404, get(base + "/health/readyx").statusCode());
        } finally {
            kafka.close();
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(String url, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = get(url);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = get(url);
        }
        assertEquals(status, last.statusCode(), url + " → " + last.body());
        return last;
    }
}

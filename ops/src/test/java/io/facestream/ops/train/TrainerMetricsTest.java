package io.facestream.ops.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream trainer} serves the management port like the other long-running commands: ready while it waits
 * between cycles, and its cycles counted by outcome. A first cycle with no feedback at all waits for samples.
 */
@KafkaBroker
class TrainerMetricsTest {

    @Test
    void theTrainerServesHealthAndCountsItsCycles(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Files.createDirectories(dir.resolve("held-out"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String[] args = {
            "trainer",
            "--every",
            "24h",
            "--held-out",
            dir.resolve("held-out").toString(),
            "--work",
            dir.resolve("work").toString(),
            "--set",
            "kafka.bootstrap=" + bootstrap,
            "--set",
            "models.dir=" + ModelZoo.defaultStore().root(),
            "--set",
            "management.port=" + port
        };
        Thread trainer = Thread.ofPlatform().name("trainer-under-test").start(() -> FacestreamCli.run(args));
        HttpClient http = HttpClient.newHttpClient();
        String metrics = "";
        try {
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline
                    && !metrics.contains("facestream_trainer_cycles_total{outcome=\"waiting\"} 1.0")) {
                Thread.sleep(500);
                try {
                    metrics = http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
                } catch (ConnectException notYet) {
                    // the trainer is still starting
                }
            }
            assertTrue(
                    metrics.contains("facestream_trainer_cycles_total{outcome=\"waiting\"} 1.0"),
                    "the first cycle, without feedback, waits for samples and is counted:\n" + metrics);
            assertTrue(metrics.contains("\nfacestream_ready 1.0\n"), "ready while it waits for the next cycle");
            assertTrue(metrics.contains("\njvm_memory_used_bytes{"), "with the JVM's meters");
            assertTrue(
                    !metrics.contains("\nfacestream_trainer_last_cycle_seconds 0.0\n"), "the cycle's end is recorded");
        } finally {
            trainer.interrupt();
            trainer.join(30_000);
        }
    }
}

package io.facestream.ops.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.runtime.MatchService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone services' management port: embed and match as {@code facestream embed} and {@code facestream match}
 * start them, one management port over both, and a little traffic. Its {@code /metrics} must show the JVM's meters,
 * each Kafka client's and the topology's, the API server's, and facestream's own: latency histograms, dead letters by
 * reason, decisions, gallery size, readiness.
 */
@KafkaBroker
class ServiceMetricsTest {
    static final String ADMIN = "metrics-admin-key-0123456789";

    /** The configuration of embed and match in one JVM against {@code bootstrap}, with the management port on any free port. */
    static FacestreamConfig config(String bootstrap, Path dir, String run) throws Exception {
        FacestreamConfig config = settings(dir, run).with(Map.of("kafka.bootstrap", bootstrap));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, config.getString("match.application-id"), TopicCatalog.FACES);
        return config;
    }

    /** Embed and match of one test run (their groups, state and gallery its own), the API with an admin key. */
    static FacestreamConfig settings(Path dir, String run) throws Exception {
        return FacestreamConfig.builder()
                .isolated()
                .build()
                .with(Map.ofEntries(
                        Map.entry("management.port", 0),
                        Map.entry("models.dir", ModelZoo.defaultStore().root().toString()),
                        Map.entry("embed.service.group-id", "embed-metrics-" + run),
                        Map.entry("embed.service.instance-id", "m-" + run),
                        Map.entry("embed.service.mode", "complete"),
                        Map.entry("embed.service.keep-rejected", true),
                        Map.entry("api.port", 0),
                        Map.entry("api.host", "127.0.0.1"),
                        Map.entry("api.keys.root.key", ADMIN),
                        Map.entry("api.keys.root.role", "admin"),
                        Map.entry("api.audit-log", dir.resolve("audit.log").toString()),
                        Map.entry("api.key-store", dir.resolve("api-keys.json").toString()),
                        Map.entry("api.upload-dir", dir.resolve("uploads").toString()),
                        Map.entry("gallery.index-dir", dir.resolve("gallery").toString()),
                        Map.entry("match.state-dir", dir.resolve("streams").toString()),
                        Map.entry("match.application-id", "metrics-" + run),
                        Map.entry("match.gallery", "watch-" + run),
                        Map.entry("match.track.idle-close", "1s"),
                        Map.entry("match.track.idle-check", "200ms")));
    }

    @Test
    void theManagementPortOfEmbedAndMatchShowsJvmKafkaApiAndPipelineMeters(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = config(bootstrap, dir, run);
        String camera = "metrics-" + run;
        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap)) {
            HealthRegistry health = new HealthRegistry().register("embed", embed::health);
            match.registerHealth(health, "match.");
            try (ManagementServer management = ManagementServer.start(config, health)) {
                match.awaitRunning(Duration.ofSeconds(60));
                String api = "http://127.0.0.1:" + match.apiPort();
                assertEquals(
                        201, ServiceTraffic.post(api + "/api/galleries", ADMIN, "{\"name\":\"watch-" + run + "\"}"));
                ServiceTraffic.get(api + "/api/galleries", ADMIN);
                ServiceTraffic.frames(bootstrap, camera, 4);
                ServiceTraffic.faces(bootstrap, camera + "-faces", 4);

                String url = "http://127.0.0.1:" + management.port() + "/metrics";
                String metrics = "";
                long deadline = System.currentTimeMillis() + 90_000;
                while (System.currentTimeMillis() < deadline) {
                    metrics = ServiceTraffic.get(url, null);
                    if (ServiceTraffic.sum(metrics, "facestream_embed_face_latency_seconds_count") >= 4
                            && ServiceTraffic.sum(metrics, "facestream_match_decision_latency_seconds_count") > 0
                            && metrics.contains("facestream_gallery_media{gallery=\"watch-" + run + "\"}")
                            && metrics.contains("reason=\"invalid-frame\"")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                Files.writeString(Path.of("target", "service-metrics.txt"), metrics);
                for (String name : List.of(
                        "jvm_memory_used_bytes",
                        "jvm_threads_live_threads",
                        "jvm_classes_loaded_classes",
                        "jvm_gc_memory_allocated_bytes_total",
                        "system_cpu_count",
                        "process_cpu_usage",
                        "process_uptime_seconds",
                        "process_files_open_files",
                        "facestream_ready",
                        "facestream_live",
                        "facestream_embed_frames_total",
                        "facestream_embed_faces_total",
                        "facestream_embed_inference_seconds_count",
                        "facestream_match_faces_total",
                        "facestream_match_decisions_total",
                        "facestream_embed_consumer_lag")) {
                    assertTrue(ServiceTraffic.sum(metrics, name) >= 0, name + " is served:\n" + metrics);
                }
                for (String prefix : List.of(
                        "kafka_consumer_fetch_manager_", "kafka_producer_", "kafka_stream_", "vertx_http_server_")) {
                    assertTrue(metrics.contains("\n" + prefix), prefix + "* is served:\n" + metrics);
                }
                assertTrue(
                        ServiceTraffic.sum(metrics, "facestream_embed_face_latency_seconds_count") >= 4,
                        "every live face's latency is recorded:\n" + metrics);
                assertTrue(
                        metrics.contains("facestream_embed_face_latency_seconds_bucket{le=\"0.5\"}"),
                        "the 500 ms goal is a bucket");
                assertTrue(
                        ServiceTraffic.sum(metrics, "facestream_match_decision_latency_seconds_count") > 0,
                        "decisions are timed");
                assertTrue(
                        metrics.contains("facestream_dlq_records_total{reason=\"invalid-frame\",stage=\"embed\"}"),
                        "the frame that is not a JPEG is counted as a dead letter by stage and reason:\n" + metrics);
                assertTrue(
                        metrics.contains("facestream_gallery_media{gallery=\"watch-" + run + "\"} 0.0"),
                        "the new gallery is empty");
                assertTrue(metrics.contains("camera=\"" + camera + "\""), "per-camera meters name the camera by id");
            }
        }
    }
}

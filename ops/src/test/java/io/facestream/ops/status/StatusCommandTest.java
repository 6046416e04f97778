package io.facestream.ops.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.health.Health;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.ops.FacestreamCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream status} against the real broker and a real management port: frames of a camera, a dead letter,
 * a gallery with a deleted subject, a model release and a consumer group with lag come out in its tables and JSON,
 * and the exit code follows the probed process's readiness.
 */
@KafkaBroker
class StatusCommandTest {

    @Test
    void showsCamerasGroupsDeadLettersGalleriesModelsAndReadiness(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "status-cam-" + run, gallery = "status-" + run, group = "status-group-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(
                                TopicCatalog.FRAMES, camera, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) i}))
                        .get();
            }
            ProducerRecord<String, byte[]> dead = new ProducerRecord<>(TopicCatalog.DLQ, camera, new byte[] {1});
            dead.headers().add(DeadLetter.STAGE, ("embed-" + run).getBytes(StandardCharsets.UTF_8));
            dead.headers().add(DeadLetter.REASON, "frame too large: 9000000 bytes".getBytes(StandardCharsets.UTF_8));
            producer.send(dead).get();
            for (String k : List.of(
                    gallery,
                    gallery + "/alice",
                    gallery + "/alice/m1",
                    gallery + "/alice/m2",
                    gallery + "/bob",
                    gallery + "/bob/m1")) {
                producer.send(new ProducerRecord<>(TopicCatalog.GALLERY, k, new byte[] {1}))
                        .get();
            }
            producer.send(new ProducerRecord<>(TopicCatalog.GALLERY, gallery + "/bob", null))
                    .get(); // bob deleted: his medium goes too
            producer.send(new ProducerRecord<>(
                            TopicCatalog.MODELS,
                            "model-" + run,
                            ModelRelease.newBuilder()
                                    .setName("model-" + run)
                                    .setVersion("1.2.3")
                                    .setReleasedTsUs(1_700_000_000_000_000L)
                                    .build()
                                    .toByteArray()))
                    .get();
        }
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.alterConsumerGroupOffsets(
                            group, Map.of(new TopicPartition(TopicCatalog.DLQ, 0), new OffsetAndMetadata(0)))
                    .all()
                    .get();
        }
        AtomicReference<Health> state = new AtomicReference<>(Health.up("running"));
        HealthRegistry health = new HealthRegistry().register("embed", state::get);
        try (ManagementServer management = ManagementServer.start("127.0.0.1", 0, health)) {
            String probe = "127.0.0.1:" + management.port();
            Path json = dir.resolve("status.json");
            assertEquals(
                    0,
                    FacestreamCli.run(
                            "status",
                            "--bootstrap",
                            bootstrap,
                            "--probe",
                            probe,
                            "--window",
                            "10m",
                            "--json",
                            json.toString()),
                    "every probed process is ready");
            Map<String, JsonNode> tables = byTitle(Json.mapper().readTree(json.toFile()));

            JsonNode cam = row(tables, "cameras", "camera", camera);
            assertEquals(3, cam.get("frames").asInt());
            JsonNode dlq = row(tables, "dead", "stage", "embed-" + run);
            assertEquals(
                    "frame too large", dlq.get("reason").asText(), "the reason's rule, without the record's details");
            assertEquals(1, dlq.get("records").asInt());
            JsonNode g = row(tables, "galleries", "gallery", gallery);
            assertEquals(1, g.get("subjects").asInt(), "bob's tombstone removes him");
            assertEquals(2, g.get("media").asInt(), "and his medium with him");
            assertEquals(
                    "1.2.3",
                    row(tables, "model", "model", "model-" + run).get("version").asText());
            assertTrue(row(tables, "consumer", "group", group).get("lag").asLong() >= 1, "the group's lag on the DLQ");
            JsonNode proc = row(tables, "processes", "address", probe);
            assertEquals("yes", proc.get("ready").asText());
            assertTrue(proc.get("components").asText().contains("embed UP"), proc.toString());

            state.set(Health.down("broker unreachable"));
            assertEquals(
                    1,
                    FacestreamCli.run("status", "--bootstrap", bootstrap, "--probe", probe, "--json", json.toString()),
                    "a probed process that is not ready makes the exit code 1");
            assertEquals(
                    "NO",
                    row(byTitle(Json.mapper().readTree(json.toFile())), "processes", "address", probe)
                            .get("ready")
                            .asText());
        }
    }

    /** The tables by the first word of their title: cameras, consumer, dead, galleries, model, processes. */
    private static Map<String, JsonNode> byTitle(JsonNode root) {
        Map<String, JsonNode> out = new HashMap<>();
        root.get("tables").forEach(t -> out.put(t.get("title").asText().split(" ")[0], t));
        return out;
    }

    private static JsonNode row(Map<String, JsonNode> tables, String table, String column, String value) {
        JsonNode t = tables.get(table);
        assertTrue(t != null, "a table '" + table + "' in " + tables.keySet());
        for (JsonNode r : t.get("rows")) {
            if (r.get(column).asText().equals(value)) {
                return r;
            }
        }
        throw new AssertionError("no row with " + column + "=" + value + " in " + t);
    }
}

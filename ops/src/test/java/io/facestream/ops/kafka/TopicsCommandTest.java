package io.facestream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KafkaBroker
class TopicsCommandTest {

    @Test
    void createsAndListsEveryTopicTwiceWithoutError(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("topics.json");
        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap));
        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap, "--json", json.toString()));

        JsonNode rows = Json.mapper().readTree(json.toFile()).at("/tables/0/rows");
        Set<String> names = new HashSet<>();
        rows.forEach(r -> {
            names.add(r.get("topic").asText());
            assertEquals("exists", r.get("status").asText(), "second run creates nothing");
            assertEquals("", r.get("drift").asText());
        });
        Set<String> expected = new HashSet<>();
        TopicCatalog.defaults().topics().forEach(t -> expected.add(t.name()));
        assertEquals(expected, names);
    }

    private static String retention(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(r)
                .get("retention.ms")
                .value();
    }

    private static JsonNode row(Path json, String topic) throws Exception {
        for (JsonNode r : Json.mapper().readTree(json.toFile()).at("/tables/0/rows")) {
            if (r.get("topic").asText().equals(topic)) {
                return r;
            }
        }
        throw new AssertionError("no row of " + topic + " in " + json);
    }

    @Test
    void reportsDriftAndApplySetsTheConfiguredRetention(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            // a dead-letter topic made by an older release: it kept frames for a week
            ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, TopicCatalog.DLQ);
            admin.incrementalAlterConfigs(Map.of(
                            dlq,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("retention.ms", "604800000"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);

            Path report = dir.resolve("report.json");
            assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap, "--json", report.toString()));
            assertEquals(
                    "retention.ms: 604800000 (expected 3600000)",
                    row(report, TopicCatalog.DLQ).get("drift").asText());
            assertEquals("604800000", retention(admin, TopicCatalog.DLQ), "without --apply nothing changes");

            Path applied = dir.resolve("applied.json");
            assertEquals(
                    0, FacestreamCli.run("topics", "--bootstrap", bootstrap, "--apply", "--json", applied.toString()));
            assertEquals("altered", row(applied, TopicCatalog.DLQ).get("status").asText());
            assertEquals("", row(applied, TopicCatalog.DLQ).get("drift").asText());
            assertEquals(
                    "exists",
                    row(applied, TopicCatalog.FRAMES).get("status").asText(),
                    "only drifted topics are altered");
            assertEquals("3600000", retention(admin, TopicCatalog.DLQ));
        }
    }

    @Test
    void aMisspeltTopicConfigIsRefusedNamingTheKey(@KafkaBroker.Bootstrap String bootstrap) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(
                    1,
                    FacestreamCli.run(
                            "topics",
                            "--bootstrap",
                            bootstrap,
                            "--apply",
                            "--set",
                            "topics.faces.retention.msec=60000"));
            assertEquals(
                    1,
                    FacestreamCli.run("topics", "--bootstrap", bootstrap, "--set", "topics.dlq.retention.ms=86400000"));
        } finally {
            System.setErr(old);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(
                out.contains("config key 'topics.faces.retention.msec' (from flag) is not a Kafka topic config"), out);
        assertTrue(
                out.contains("topics.dlq.retention.ms = 86400000 (from flag) exceeds topics.frames.retention.ms"), out);
    }
}

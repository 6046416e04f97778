package io.facestream.ops.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream demo --exit} end to end on the test broker: footage rendered, gallery enrolled and calibrated
 * through the API, videos ingested, embedded and matched with the real models, and a summary that adds up. Then the
 * same footage again with embedding at a third of its speed ({@code embed.service.slowdown=3}): the final decisions
 * must be the same, track for track. Both runs close silent cameras after 2 s ({@code match.track.idle-close}), which
 * split tracks into short ones while it was counted on the wall clock. The footage is made from the npm donor photos
 * only ({@code paths.shared} empty), as on a user's clone.
 */
@KafkaBroker
class DemoCommandTest {

    @Test
    void demoKeepsFalseAlarmsWithinTheTargetAndDecidesTheSameWithEmbeddingThrottled(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {

        Path footage = dir.resolve("footage"); // rendered by the first run, reused by the second
        JsonNode[] unthrottled = demo(bootstrap, dir.resolve("unthrottled"), footage, 1);
        JsonNode table = unthrottled[0];
        int hits = 0, tracks = 0, falseAlarms = 0, unknown = 0;
        for (JsonNode row : table.get("rows")) {
            int n = row.get("tracks").asInt();
            tracks += n;
            switch (row.get("outcome").asText()) {
                case "hit" -> hits = n;
                case "false alarm" -> falseAlarms = n;
                case "unknown" -> unknown = n;
                default -> {}
            }
        }
        JsonNode notes = table.get("notes");
        assertTrue(tracks >= 3, "the footage's people became tracks with final decisions: " + table);
        assertTrue(hits >= 1, "at least one enrolled person was identified: " + table);
        assertTrue(unknown + falseAlarms >= 1, "people who are not enrolled were seen: " + table);
        double rate = notes.get("false alarm rate on people not enrolled").asDouble();
        assertEquals((double) falseAlarms / (falseAlarms + unknown), rate, 1e-9, table.toString());
        assertTrue(
                rate <= notes.get("target FPIR").asDouble(),
                "open-set false alarms on people not enrolled within the FPIR target: " + table);
        assertTrue(
                Files.readString(dir.resolve("unthrottled").resolve("audit.log"))
                        .contains("\"gallery.threshold\""),
                "the threshold was set through the API");

        JsonNode[] throttled = demo(bootstrap, dir.resolve("throttled"), footage, 3);
        assertEquals(
                decisions(unthrottled[1]),
                decisions(throttled[1]),
                "final decisions (camera/track decision subject faces truth outcome) with embedding at full vs a third of its speed");
        List<JsonNode> a = rows(unthrottled[1]), b = rows(throttled[1]);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(
                    a.get(i).get("score").asDouble(), b.get(i).get("score").asDouble(), 0.002, "score of " + a.get(i));
        }
    }

    /** One {@code demo --exit} run; returns the summary table and the decisions table of its --json. */
    private static JsonNode[] demo(String bootstrap, Path dir, Path footage, int slowdown) throws Exception {
        Files.createDirectories(dir);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String application = "demo-test-" + run;
        String embedGroup = "demo-test-embed-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        // both runs use the same camera names on the one test broker: each reads only what it produces
        ConsumerGroups.startAtEnd(bootstrap, embedGroup, TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(
                bootstrap, application, TopicCatalog.FACES); // Kafka Streams' group id is its application id
        Path summary = dir.resolve("summary.json");
        int exit = FacestreamCli.run(
                "demo",
                "--exit",
                "--footage",
                footage.toString(),
                "--json",
                summary.toString(),
                "--gallery",
                "demo-x" + slowdown,
                "--set",
                "kafka.bootstrap=" + bootstrap,
                "--set",
                "paths.shared=",
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root(),
                "--set",
                "api.port=0",
                "--set",
                "api.key-file=" + dir.resolve("admin.key"),
                "--set",
                "api.key-store=" + dir.resolve("api-keys.json"),
                "--set",
                "api.audit-log=" + dir.resolve("audit.log"),
                "--set",
                "api.upload-dir=" + dir.resolve("uploads"),
                "--set",
                "gallery.index-dir=" + dir.resolve("gallery"),
                "--set",
                "match.state-dir=" + dir.resolve("match-state"),
                "--set",
                "match.application-id=" + application,
                "--set",
                "match.track.idle-close=2s",
                "--set",
                "embed.service.group-id=" + embedGroup,
                "--set",
                "embed.service.instance-id=demo-test-" + run,
                "--set",
                "embed.service.slowdown=" + slowdown);
        if (!Files.exists(summary)) {
            assertEquals(0, exit, "demo --exit (slowdown " + slowdown + ") ended before its summary");
        }
        JsonNode tables = Json.mapper().readTree(summary.toFile()).get("tables");
        assertEquals(0, exit, "demo --exit (slowdown " + slowdown + "): " + tables.get(0));
        return new JsonNode[] {tables.get(0), tables.get(1)};
    }

    private static List<JsonNode> rows(JsonNode decisions) {
        List<JsonNode> out = new ArrayList<>();
        decisions.get("rows").forEach(out::add);
        return out;
    }

    private static List<String> decisions(JsonNode decisions) {
        return rows(decisions).stream()
                .map(r -> r.get("camera").asText() + "/" + r.get("track").asText() + " "
                        + r.get("decision").asText() + " " + r.get("subject").asText() + " faces="
                        + r.get("faces").asText()
                        + " truth=" + r.get("truth").asText() + " "
                        + r.get("outcome").asText())
                .toList();
    }
}

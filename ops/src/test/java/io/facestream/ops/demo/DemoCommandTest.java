package io.facestream.ops.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import io.facestream.synth.DonorPhotos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream demo --exit} end to end on the test broker: footage rendered, gallery enrolled and calibrated
 * through the API, videos ingested, embedded and matched with the real models, and a summary that adds up. Skips
 * without the donor photos the footage is made from.
 */
@KafkaBroker
class DemoCommandTest {

    @Test
    void demoRunsEndToEndAndKeepsFalseAlarmsOnUnknownPeopleWithinTheTarget(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        String shared = System.getProperty("facestream.shared", "");
        Path cache = Path.of(System.getProperty("facestream.cache", System.getProperty("user.home") + "/.facestream"));
        assumeTrue(!shared.isEmpty() && Files.isDirectory(Path.of(shared, "data", "photos")), "shared/data/photos is absent");
        assumeTrue(Files.isDirectory(cache.resolve("npm").resolve(DonorPhotos.HUMAN)), "the @vladmandic/human donor photos are not unpacked");

        String run = UUID.randomUUID().toString().substring(0, 8);
        Path summary = dir.resolve("summary.json");
        int exit = FacestreamCli.run("demo", "--exit", "--footage", dir.resolve("footage").toString(), "--json", summary.toString(),
                "--set", "kafka.bootstrap=" + bootstrap,
                "--set", "models.dir=" + ModelZoo.defaultStore().root(),
                "--set", "api.port=0",
                "--set", "api.key-file=" + dir.resolve("admin.key"),
                "--set", "api.key-store=" + dir.resolve("api-keys.json"),
                "--set", "api.audit-log=" + dir.resolve("audit.log"),
                "--set", "api.upload-dir=" + dir.resolve("uploads"),
                "--set", "gallery.index-dir=" + dir.resolve("gallery"),
                "--set", "match.state-dir=" + dir.resolve("match-state"),
                "--set", "match.application-id=demo-test-" + run,
                "--set", "embed.service.group-id=demo-test-embed-" + run,
                "--set", "embed.service.instance-id=demo-test-" + run);
        assertEquals(0, exit, "demo --exit");

        JsonNode table = Json.mapper().readTree(summary.toFile()).get("tables").get(0);
        int hits = 0, tracks = 0, falseAlarms = 0, unknown = 0;
        for (JsonNode row : table.get("rows")) {
            int n = row.get("tracks").asInt();
            tracks += n;
            switch (row.get("outcome").asText()) {
                case "hit" -> hits = n;
                case "false alarm" -> falseAlarms = n;
                case "unknown" -> unknown = n;
                default -> { }
            }
        }
        JsonNode notes = table.get("notes");
        assertTrue(tracks >= 3, "the footage's people became tracks with final decisions: " + table);
        assertTrue(hits >= 1, "at least one enrolled person was identified: " + table);
        assertTrue(unknown + falseAlarms >= 1, "people who are not enrolled were seen: " + table);
        double rate = notes.get("false alarm rate on people not enrolled").asDouble();
        assertEquals((double) falseAlarms / (falseAlarms + unknown), rate, 1e-9, table.toString());
        assertTrue(rate <= notes.get("target FPIR").asDouble(), "open-set false alarms on people not enrolled within the FPIR target: " + table);
        assertTrue(Files.readString(dir.resolve("audit.log")).contains("\"gallery.threshold\""), "the threshold was set through the API");
    }
}

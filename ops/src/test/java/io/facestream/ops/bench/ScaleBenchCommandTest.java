package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.ops.chaos.ScaleBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code facestream bench scale} for one short round: a real broker and real embed processes, one then two; both rows
 * measured a rate with nothing lost or duplicated, and the ratio and the machine's cores are reported.
 */
@Integration
class ScaleBenchCommandTest {
    @Test
    void measuresOneAndTwoEmbedProcessesAndReportsTheRatio() throws Exception {
        Path dir =
                Path.of("target", "bench-scale-" + System.currentTimeMillis()).toAbsolutePath();
        Path json = dir.resolve("scale.json");
        int rc = new CommandLine(new ScaleBenchCommand())
                .execute(
                        "--seconds",
                        "4",
                        "--warmup",
                        "3",
                        "--rounds",
                        "1",
                        "--work",
                        dir.resolve("work").toString(),
                        "--json",
                        json.toString());
        assertEquals(0, rc, "the bench passed; logs in " + dir);
        JsonNode table = Json.mapper().readTree(json.toFile()).get("tables").get(0);
        List<Integer> instances = new ArrayList<>();
        for (JsonNode row : table.get("rows")) {
            instances.add(row.get("embed processes").asInt());
            assertTrue(row.get("faces/s").asDouble() > 0, "faces came out: " + row);
            assertTrue(row.get("frames/s").asDouble() > 0, "frames came out: " + row);
            assertEquals(0, row.get("lost").asInt(), row.toString());
            assertEquals(0, row.get("duplicated").asInt(), row.toString());
        }
        assertEquals(List.of(1, 2), instances, "round 1 measures one process, then two");
        String ratio = table.get("notes").get("ratio two/one").asText();
        assertTrue(ratio.matches("\\d+\\.\\d\\d \\(median of 1 rounds.*"), ratio);
        assertTrue(table.get("notes").get("machine").asText().contains("cores"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ScaleBench.Settings(Duration.ofSeconds(5), Duration.ofSeconds(1), 0, dir),
                "--rounds 0 is refused before anything starts");
        io.facestream.core.files.FileTrees.delete(dir);
    }
}

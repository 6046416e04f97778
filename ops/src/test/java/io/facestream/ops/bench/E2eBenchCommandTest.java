package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench e2e} end to end at its smallest: one camera for a few seconds of the rendered clip with real MTCNN,
 * a small watchlist with the clip's people enrolled; the row has decisions, HITs for the enrolled people, ordered
 * percentiles and the frames it offered.
 */
@Integration
class E2eBenchCommandTest {
    @Test
    void oneCameraWithRealDetectionGivesDecisionsForTheEnrolledPeople(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("e2e.json");
        int rc = FacestreamCli.run(
                "bench",
                "e2e",
                "--cameras",
                "1",
                "--seconds",
                "3",
                "--gallery",
                "300",
                "--gating",
                "off",
                "--settle-seconds",
                "0",
                "--warmup-seconds",
                "2",
                "--json",
                json.toString(),
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());
        assertEquals(0, rc);
        assertTrue(Files.isRegularFile(json), "--json wrote " + json);
        JsonNode rows =
                Json.mapper().readTree(json.toFile()).get("tables").get(0).get("rows");
        assertEquals(1, rows.size(), rows.toString());
        JsonNode row = rows.get(0);
        assertEquals(1, row.get("cameras").asInt());
        assertEquals("off", row.get("gating").asText());
        assertEquals(15, row.get("frames offered").asInt(), "3 s at 5 fps: " + row);
        assertTrue(row.get("decisions n").asInt() > 0, "decisions: " + row);
        assertTrue(row.get("HIT %").asDouble() > 50, "the clip's people are enrolled: " + row);
        assertTrue(
                row.get("p99 ms").asDouble() >= row.get("p50 ms").asDouble()
                        && row.get("p50 ms").asDouble() > 0,
                "percentiles: " + row);
        // the latency in its two parts: until the faces were visible, then until the decision was
        for (String part : new String[] {"frame -> faces p50 / p99 ms", "faces -> decision p50 / p99 ms"}) {
            String[] p50p99 = row.get(part).asText().split(" / ");
            assertEquals(2, p50p99.length, part + ": " + row);
            assertTrue(
                    Long.parseLong(p50p99[0]) >= 0 && Long.parseLong(p50p99[1]) >= Long.parseLong(p50p99[0]),
                    part + ": " + row);
        }
        assertTrue(
                Long.parseLong(row.get("frame -> faces p50 / p99 ms").asText().split(" / ")[0])
                        <= row.get("p50 ms").asDouble(),
                "the first part is part of the whole: " + row);
    }
}

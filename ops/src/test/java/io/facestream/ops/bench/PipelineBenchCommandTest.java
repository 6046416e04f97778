package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke run of {@code facestream bench pipeline} on the real broker, models and synthetic footage: one camera, given
 * faces, two seconds per mode. Checks that every row is measured (nothing is asserted about speed).
 */
@KafkaBroker
class PipelineBenchCommandTest {

    @Test
    void oneCameraGivenFacesMeasuresEveryRow(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("pipeline.json");

        int rc = FacestreamCli.run(
                "bench",
                "pipeline",
                "--bootstrap",
                bootstrap,
                "--cameras",
                "1",
                "--seconds",
                "2",
                "--warmup",
                "1",
                "--detector",
                "given",
                "--clip-frames",
                "12",
                "--detect-threads",
                "1,2",
                "--json",
                json.toString(),
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());

        assertEquals(0, rc);
        assertTrue(Files.isRegularFile(json), "--json wrote " + json);
        JsonNode rows =
                Json.mapper().readTree(json.toFile()).get("tables").get(0).get("rows");
        assertEquals(5, rows.size(), "raw embedder, complete and live rows for 1 and 2 detect threads: " + rows);
        assertEquals("raw embedder", rows.get(0).get("mode").asText());
        assertTrue(rows.get(0).get("faces_per_s").asDouble() > 0, rows.get(0).toString());
        JsonNode complete = rows.get(1);
        JsonNode live = rows.get(2);
        assertEquals("complete", complete.get("mode").asText());
        assertEquals("live", live.get("mode").asText());
        for (int i = 1; i <= 4; i++) {
            assertEquals(
                    i <= 2 ? 1 : 2,
                    rows.get(i).get("detect_threads").asInt(),
                    rows.get(i).toString());
        }
        for (JsonNode r : new JsonNode[] {complete, live, rows.get(3), rows.get(4)}) {
            assertEquals("given", r.get("detector").asText());
            assertEquals(1, r.get("cameras").asInt());
            assertTrue(r.get("frames").asLong() > 0 && r.get("faces_per_s").asDouble() > 0, "work was measured: " + r);
            assertTrue(
                    r.get("latency_p99_ms").asLong() >= r.get("latency_p50_ms").asLong()
                            && r.get("latency_p50_ms").asLong() >= 0,
                    "latencies: " + r);
        }
        assertTrue(complete.get("efficiency").asDouble() > 0, complete.toString());
        // the clip has several faces in every frame, and given faces are all embedded
        assertTrue(
                complete.get("faces_per_s").asDouble()
                        >= complete.get("frames_per_s").asDouble(),
                complete.toString());
    }
}

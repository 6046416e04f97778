package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.detect.Box;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream bench cameras} on a tiny rendered footage (one resolution, one round, all three preset rows),
 * with the real detectors and embedder; and the matching and configuration rules it rests on.
 */
@Integration
class CamerasBenchCommandTest {

    @Test
    void matchingIsOneToOneAtIouHalfAndIgnoresSmallFaces() {
        Box big = new Box(100, 100, 40, 40);
        Box small = new Box(10, 10, 12, 12);
        // one detection on the big face, shifted (IoU 0.68), a duplicate of it further off (IoU 0.52), one on the
        // small face, one on nothing
        List<Box> detections = List.of(
                new Box(104, 104, 40, 40),
                new Box(108, 100, 40, 40),
                new Box(10, 10, 12, 12),
                new Box(300, 300, 30, 30));
        DetectionMatch m = DetectionMatch.of(detections, List.of(big, small), 20);
        assertEquals(0, m.truthFor()[0], "the best overlap takes the face");
        assertEquals(-1, m.truthFor()[1], "a face is matched once; the duplicate is a false positive");
        assertEquals(1, m.truthFor()[2]);
        assertEquals(-1, m.truthFor()[3]);
        assertEquals(1, m.graded(), "the 12 px face is not graded");
        assertEquals(1, m.found());
        assertEquals(2, m.falsePositive());
        assertEquals(3, m.gradedDetections(), "the detection of the small face counts neither way");
        assertEquals(0.0, DetectionMatch.iou(big, new Box(140, 140, 10, 10)), 1e-9, "touching boxes do not overlap");
        assertEquals(1.0, DetectionMatch.iou(big, big), 1e-9);
        // exactly at the threshold counts: 40x40 vs 40x20 inside it is IoU 0.5
        assertEquals(
                1,
                DetectionMatch.of(List.of(new Box(100, 100, 40, 20)), List.of(big), 20)
                        .found());
    }

    @Test
    void rowConfigurationsArePresetsOrDetectorWithSettings() {
        assertEquals(
                Map.of("face.detector", "mtcnn", "face.mtcnn.min-face-size", 40),
                CameraConfig.parse("mtcnn-min40").overrides());
        assertEquals(
                Map.of("face.detector", "blazeface-front"),
                CameraConfig.parse("blazeface").overrides());
        var tiled =
                CameraConfig.parse("blazeface-full-tiled").apply(io.facestream.core.config.FacestreamConfig.defaults());
        assertEquals("blazeface-full", tiled.getString("face.detector"));
        assertEquals(384, tiled.getInt("face.blazeface.tile"));
        assertEquals(0.6, tiled.getDouble("face.blazeface.min-score"), 1e-9);
        assertEquals(
                false,
                CameraConfig.parse("mtcnn-heap")
                        .apply(io.facestream.core.config.FacestreamConfig.defaults())
                        .getBoolean("face.mtcnn.reuse-buffers"));
        assertEquals(
                "chained",
                CameraConfig.parse("mtcnn-chained")
                        .apply(io.facestream.core.config.FacestreamConfig.defaults())
                        .getString("face.mtcnn.pyramid"));
        CameraConfig adHoc = CameraConfig.parse("mtcnn+face.mtcnn.min-face-size=60+face.mtcnn.scale-factor=0.7");
        assertEquals(
                Map.of("face.detector", "mtcnn", "face.mtcnn.min-face-size", "60", "face.mtcnn.scale-factor", "0.7"),
                adHoc.overrides());
        assertThrows(IllegalArgumentException.class, () -> CameraConfig.parse("mtcnn+min-face-size"));
        assertEquals(
                Map.of("face.detector", "mtcnn", "face.gating.mode", "motion+tracks", "face.gating.full-every", "10"),
                CameraConfig.parse("mtcnn+face.gating.mode=motion+tracks+face.gating.full-every=10")
                        .overrides());
        assertThrows(IllegalArgumentException.class, () -> CameraConfig.parse("face.detector=mtcnn"));
        assertEquals(
                1,
                adHoc.apply(io.facestream.core.config.FacestreamConfig.defaults())
                        .getInt("face.intra-op-threads"));
        assertEquals(
                60,
                adHoc.apply(io.facestream.core.config.FacestreamConfig.defaults())
                        .getInt("face.mtcnn.min-face-size"));
    }

    @Test
    void tinyFootageGivesReferenceFirstAndSaneRows(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("cameras.json");

        int rc = FacestreamCli.run(
                "bench",
                "cameras",
                "--resolution",
                "640x480",
                "--rounds",
                "1",
                "--subjects",
                "3",
                "--videos",
                "3",
                "--frames-per-video",
                "4",
                "--warmup-frames",
                "2",
                // the OpenCV DNN peer of the blazeface row has its own test (OpenCvDetectPeerTest)
                "--peers",
                "none",
                "--json",
                json.toString(),
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());

        assertEquals(0, rc);
        assertTrue(Files.isRegularFile(json), "--json wrote " + json);
        JsonNode root = Json.mapper().readTree(json.toFile());
        JsonNode rows = root.get("rows");
        assertEquals(3, rows.size(), "reference + mtcnn-min40 + blazeface: " + rows);
        assertEquals("mtcnn", rows.get(0).get("config").asText(), "the reference row comes first");
        assertEquals("mtcnn-min40", rows.get(1).get("config").asText());
        assertEquals("blazeface", rows.get(2).get("config").asText());
        assertEquals(1.0, rows.get(0).get("x_reference").asDouble(), 1e-9);
        for (JsonNode r : rows) {
            assertEquals("640x480", r.get("resolution").asText());
            assertEquals(12, r.get("frames").asLong(), "3 videos x 4 frames, every frame measured: " + r);
            double ms = r.get("ms_per_frame").asDouble();
            assertTrue(
                    ms > 0
                            && r.get("decode_ms").asDouble() > 0
                            && r.get("detect_ms").asDouble() > 0,
                    r.toString());
            double stages = r.get("decode_ms").asDouble()
                    + r.get("detect_ms").asDouble()
                    + r.get("align_ms").asDouble()
                    + r.get("embed_ms").asDouble();
            assertEquals(ms, stages, 0.05, "the stages add up to the frame: " + r);
            assertEquals(
                    1000 / (5 * ms),
                    r.get("cameras_per_core").asDouble(),
                    0.02 * r.get("cameras_per_core").asDouble());
            for (String k : List.of("recall", "precision", "rank1")) {
                JsonNode v = r.get(k);
                if (k.equals("precision") && r.get("detections_graded").asLong() == 0) {
                    assertTrue(v.isNull(), "precision without detections is undefined, not a number: " + r);
                    continue;
                }
                assertTrue(v.isNumber() && v.asDouble() >= 0 && v.asDouble() <= 1, k + " in [0, 1]: " + r);
            }
            assertTrue(
                    r.get("faces_graded").asLong() > 0 && r.get("probes_mated").asLong() > 0, r.toString());
            assertTrue(r.get("probes_without_face").asLong() >= 0, r.toString());
            assertEquals(1, r.get("rounds").asInt());
        }
        // the reference finds faces on this footage (a run that finds none would measure nothing worth comparing)
        assertTrue(rows.get(0).get("recall").asDouble() > 0.3, rows.get(0).toString());
        assertTrue(rows.get(0).get("embed_ms").asDouble() > 0, "detected faces were embedded: " + rows.get(0));
        JsonNode notes = root.get("notes");
        assertFalse(notes.get("commit").asText().isBlank());
        assertTrue(notes.get("load average at start").asText().matches("[0-9.]+.*"), notes.toString());
        assertTrue(notes.has("load average at end"));
    }
}

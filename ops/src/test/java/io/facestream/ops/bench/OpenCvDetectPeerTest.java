package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.blazeface.BlazeFaceDetector;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.cli.CommandFailed;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCV DNN peer of {@code bench cameras} run for real (Debian's python3-opencv; skipped where python3 cannot
 * import cv2) on rendered footage: on the same frames it must find the same faces as our BlazeFace detector, with the
 * same boxes and scores, which it only does when its letterbox, tiling, normalisation, anchor decoding and NMS are
 * ours; a peer with the colours swapped or without tiles is shown to fail the same comparison.
 */
@Integration
class OpenCvDetectPeerTest {

    /** One engine's detections of the same frames against another's. */
    private record Comparison(int ours, int theirs, int matched, double meanIou, double maxScoreDiff) {}

    @Test
    void findsTheSameFacesAsOurBlazeFaceOnTheSameFrames() throws Exception {
        String python = pythonWithOpenCv();
        FacestreamConfig base = FacestreamConfig.defaults();
        // 1280x720 with 384 px tiles: the whole frame plus 5 x 3 overlapping tiles, the last of each row and column
        // flush with the frame's edge
        Path set = CamerasBenchCommand.footage(
                FacestreamPaths.of(base), "cameras-1280x720-s3-v3-f4", new int[] {1280, 720}, 3, 3, 4, 1);
        GroundTruth truth = GroundTruth.read(set);
        FaceSettings settings =
                FaceSettings.from(CameraConfig.parse("blazeface-full-tiled").apply(base));
        ModelStore.InstalledModel model =
                ModelZoo.ensure(ModelZoo.defaultStore(), ModelZoo.nameOf(settings.detector()));
        try (BlazeFaceDetector java = (BlazeFaceDetector)
                        new ModelRouter(new OnnxSessions(settings.device(), 1), settings).detector(model);
                PeerFrames frames = PeerFrames.write(set, truth);
                OpenCvDetectPeer peer = OpenCvDetectPeer.start(python)) {
            assertEquals(12, frames.count(), "3 videos x 4 frames");
            assertEquals(12L * 1280 * 720 * 3, Files.size(frames.file()), "raw BGR frames, nothing else");
            List<List<DetectedFace>> ours = detectAll(java, frames);
            OpenCvDetectPeer.Spec spec = OpenCvDetectPeer.Spec.of(model, java, settings);
            OpenCvDetectPeer.Result theirs = peer.detect(spec, frames);

            Comparison c = compare(ours, theirs);
            assertTrue(c.ours() >= 10, "the clip has faces for BlazeFace to find: " + c);
            assertTrue(c.matched() >= 0.95 * c.ours() && c.matched() >= 0.95 * c.theirs(), c.toString());
            assertTrue(c.meanIou() >= 0.98, "the same boxes, not merely overlapping ones: " + c);
            assertTrue(c.maxScoreDiff() <= 0.02, "the same scores: " + c);
            PassScore mine = PassScore.of(boxes(ours), frames.truth());
            PassScore peers = PassScore.of(theirs.boxes(), frames.truth());
            assertTrue(mine.graded() > 0 && mine.recall() > 0.3, "our detector finds faces here: " + mine);
            assertEquals(mine.recall(), peers.recall(), 0.03, mine + " vs " + peers);
            assertEquals(mine.precision(), peers.precision(), 0.03, mine + " vs " + peers);
            for (int f = 0; f < frames.count(); f++) {
                assertTrue(theirs.cpuSeconds()[f] > 0 && theirs.wallSeconds()[f] > 0, "frame " + f + " timed");
                assertTrue(
                        theirs.forwardSeconds()[f] > 0 && theirs.forwardSeconds()[f] <= theirs.cpuSeconds()[f] + 1e-3,
                        "net.forward is part of the frame's detection: " + f);
            }

            // the comparison above is sharp enough to catch a peer that does not pre-process as ours does
            ModelManifest.Input in = spec.input();
            ModelManifest.Input bgr = new ModelManifest.Input(
                    in.width(), in.height(), in.layout(), ModelManifest.ColorOrder.BGR, in.mean(), in.std());
            Comparison swapped = compare(
                    ours,
                    peer.detect(
                            new OpenCvDetectPeer.Spec(
                                    spec.model(), bgr, spec.anchors(), spec.settings(), spec.threads()),
                            frames));
            assertTrue(
                    swapped.maxScoreDiff() > 0.02 || swapped.matched() < 0.95 * swapped.ours(),
                    "red and blue swapped must show: " + swapped);
            FaceSettings.BlazeFace b = spec.settings();
            Comparison untiled = compare(
                    ours,
                    peer.detect(
                            new OpenCvDetectPeer.Spec(
                                    spec.model(),
                                    in,
                                    spec.anchors(),
                                    new FaceSettings.BlazeFace(
                                            b.minScore(), b.iouThreshold(), b.maxFaces(), 0, b.tileOverlap()),
                                    spec.threads()),
                            frames));
            assertTrue(untiled.matched() < 0.95 * untiled.ours(), "no tiles must show: " + untiled);
        }
    }

    @Test
    void benchCamerasPutsThePeerRowNextToItsRow(@TempDir Path dir) throws Exception {
        pythonWithOpenCv();
        Path json = dir.resolve("cameras.json");

        int rc = FacestreamCli.run(
                "bench",
                "cameras",
                "--resolution",
                "640x480",
                "--detector",
                "blazeface-full-tiled",
                "--peers",
                "opencv",
                "--rounds",
                "2",
                "--subjects",
                "3",
                "--videos",
                "3",
                "--frames-per-video",
                "4",
                "--warmup-frames",
                "2",
                "--json",
                json.toString(),
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());

        assertEquals(0, rc);
        JsonNode root = Json.mapper().readTree(json.toFile());
        JsonNode rows = root.get("rows");
        assertEquals(3, rows.size(), "reference, blazeface-full-tiled and its peer: " + rows);
        JsonNode ours = rows.get(1);
        JsonNode peer = rows.get(2);
        assertEquals("blazeface-full-tiled", ours.get("config").asText());
        assertEquals("onnxruntime", ours.get("engine").asText());
        assertEquals(
                "blazeface-full-tiled (OpenCV DNN peer)", peer.get("config").asText());
        assertEquals("opencv-dnn", peer.get("engine").asText());
        assertEquals(2, peer.get("rounds").asInt(), "measured in every round: " + peer);
        assertEquals(ours.get("frames").asLong(), peer.get("frames").asLong());
        assertEquals(ours.get("faces_graded").asLong(), peer.get("faces_graded").asLong());
        assertEquals(ours.get("recall").asDouble(), peer.get("recall").asDouble(), 0.03, peer.toString());
        assertEquals(ours.get("precision").asDouble(), peer.get("precision").asDouble(), 0.03, peer.toString());
        assertTrue(peer.get("rank1").isNull(), "the peer's faces are not embedded: " + peer);
        double detect = peer.get("detect_ms").asDouble();
        assertTrue(detect > 0, peer.toString());
        assertEquals(
                detect / ours.get("detect_ms").asDouble(),
                peer.get("x_onnxruntime_detect").asDouble(),
                // medians of per-round ratios against the ratio of medians: close, not equal
                0.25 * peer.get("x_onnxruntime_detect").asDouble(),
                peer.toString());
        double stages = peer.get("decode_ms").asDouble()
                + detect
                + peer.get("align_ms").asDouble()
                + peer.get("embed_ms").asDouble();
        assertEquals(peer.get("ms_per_frame").asDouble(), stages, 0.05 * stages, peer.toString());
        assertTrue(ours.get("x_onnxruntime_detect").isNull(), ours.toString());
        JsonNode notes = root.get("notes");
        assertTrue(notes.get("opencv peer").asText().startsWith("OpenCV "), notes.toString());
        assertTrue(notes.get("peer rows").asText().contains("COPIED"), notes.toString());
        assertTrue(notes.has("peer agreement 640x480 blazeface-full-tiled"), notes.toString());
        assertFalse(notes.has("unstable 640x480 blazeface-full-tiled (OpenCV DNN peer)"), "deterministic: " + notes);
    }

    @Test
    void aMissingPythonSaysWhatToInstall(@TempDir Path dir) {
        CommandFailed e = assertThrows(
                CommandFailed.class,
                () -> OpenCvDetectPeer.start(dir.resolve("no-such-python").toString()));
        assertTrue(
                e.getMessage().contains("python3-opencv") && e.getMessage().contains("--peers none"), e.getMessage());
    }

    @Test
    void withoutOpenCvTheDefaultSkipsThePeerWithANoteAndAnExplicitRequestFails(@TempDir Path dir) throws Exception {
        String noPython = dir.resolve("no-such-python").toString();
        Path json = dir.resolve("cameras.json");
        List<String> args = List.of(
                "bench",
                "cameras",
                "--resolution",
                "640x480",
                "--detector",
                "blazeface-full",
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
                "--python",
                noPython,
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());

        List<String> byDefault = new ArrayList<>(args);
        byDefault.addAll(List.of("--json", json.toString()));
        assertEquals(0, FacestreamCli.run(byDefault.toArray(String[]::new)));
        JsonNode root = Json.mapper().readTree(json.toFile());
        assertEquals(2, root.get("rows").size(), "the reference and blazeface-full, no peer row: " + root);
        String note = root.get("notes").get("opencv peer").asText();
        assertTrue(note.startsWith("not measured") && note.contains("python3-opencv"), note);

        List<String> explicit = new ArrayList<>(args);
        explicit.addAll(List.of("--peers", "opencv"));
        assertNotEquals(0, FacestreamCli.run(explicit.toArray(String[]::new)), "asked for, and not there");
    }

    @Test
    void anUnknownPeerIsRefusedBeforeAnyWork() {
        assertNotEquals(0, FacestreamCli.run("bench", "cameras", "--peers", "tensorrt"));
    }

    /** Our detector on the frames as the peer reads them (the raw file), so both see exactly the same pixels. */
    private static List<List<DetectedFace>> detectAll(BlazeFaceDetector detector, PeerFrames frames) throws Exception {
        List<List<DetectedFace>> out = new ArrayList<>();
        int bytes = frames.width() * frames.height() * 3;
        byte[] px = new byte[bytes];
        try (FileChannel ch = FileChannel.open(frames.file())) {
            for (int f = 0; f < frames.count(); f++) {
                ByteBuffer b = ByteBuffer.wrap(px);
                while (b.hasRemaining()) {
                    if (ch.read(b) < 0) {
                        throw new IllegalStateException("frame file ends at frame " + f);
                    }
                }
                try (Mat m = new Mat(frames.height(), frames.width(), opencv_core.CV_8UC3)) {
                    m.data().put(px);
                    out.add(detector.detect(m));
                }
            }
        }
        return out;
    }

    private static List<List<Box>> boxes(List<List<DetectedFace>> faces) {
        return faces.stream()
                .map(f -> f.stream().map(DetectedFace::box).toList())
                .toList();
    }

    private static Comparison compare(List<List<DetectedFace>> ours, OpenCvDetectPeer.Result theirs) {
        assertEquals(ours.size(), theirs.faces().size(), "one answer per frame");
        int nOurs = 0, nTheirs = 0, matched = 0;
        double iou = 0, maxScore = 0;
        for (int f = 0; f < ours.size(); f++) {
            List<DetectedFace> o = ours.get(f);
            List<OpenCvDetectPeer.Detection> t = theirs.faces().get(f);
            DetectionMatch m = DetectionMatch.of(
                    t.stream().map(OpenCvDetectPeer.Detection::box).toList(),
                    o.stream().map(DetectedFace::box).toList(),
                    0);
            nOurs += o.size();
            nTheirs += t.size();
            for (int d = 0; d < t.size(); d++) {
                int k = m.truthFor()[d];
                if (k >= 0) {
                    matched++;
                    iou += DetectionMatch.iou(t.get(d).box(), o.get(k).box());
                    maxScore = Math.max(
                            maxScore, Math.abs(t.get(d).score() - o.get(k).score()));
                }
            }
        }
        return new Comparison(nOurs, nTheirs, matched, matched == 0 ? 0 : iou / matched, maxScore);
    }

    /** The Python the peer would use, when it imports cv2; the test is skipped otherwise. */
    private static String pythonWithOpenCv() throws Exception {
        String python = PythonPeer.python();
        boolean ok;
        try {
            Process p = new ProcessBuilder(python, "-c", "import cv2, numpy")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            ok = false;
        }
        assumeTrue(ok, "no python3 with OpenCV (apt-get install -y python3-opencv): the OpenCV DNN peer is not tested");
        return python;
    }
}

package io.facestream.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.blazeface.BlazeFaceDetector;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.ops.cli.CommandFailed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenCV DNN peer of {@code bench cameras}: a Python process ({@code opencv_detect.py}, shipped in this package)
 * that runs the same BlazeFace ONNX file as a row's {@link BlazeFaceDetector} through {@code cv2.dnn}, with the same
 * letterboxing, tiling, normalisation, anchor decoding, threshold and weighted NMS, on the same decoded frames
 * ({@link PeerFrames}), and times each frame's detection itself (CPU time of its thread and wall clock), so neither
 * Python's start-up nor this pipe is counted. It stays up for the whole benchmark and is asked for one pass at a time,
 * which lets its rows interleave with ONNX Runtime's. Protocol: the script's docstring. The process is a {@link PythonPeer},
 * as {@link OpenCvEmbedPeer}'s is.
 */
final class OpenCvDetectPeer implements AutoCloseable {
    static final String SCRIPT = "opencv_detect.py";

    private static final String NAME = "OpenCV DNN peer";

    private final PythonPeer peer;

    /**
     * What the peer must do to detect as a row's detector does: its model file and input, its anchor grid and its
     * BlazeFace settings, at the row's thread count.
     */
    record Spec(Path model, ModelManifest.Input input, int[][] anchors, FaceSettings.BlazeFace settings, int threads) {
        static Spec of(ModelStore.InstalledModel model, BlazeFaceDetector detector, FaceSettings settings) {
            return new Spec(
                    model.path("main"),
                    model.manifest().input(),
                    detector.anchorGrid(),
                    settings.blazeFace(),
                    settings.intraOpThreads());
        }
    }

    /** A detection of the peer, in frame pixels. */
    record Detection(Box box, float score) {}

    /**
     * One pass: per frame (file order) the detections by descending score, and the seconds its detection took: CPU
     * time of the peer's thread, wall clock, and the CPU time of that spent in {@code net.forward}.
     */
    record Result(List<List<Detection>> faces, double[] cpuSeconds, double[] wallSeconds, double[] forwardSeconds) {
        long cpuNanos() {
            return nanos(cpuSeconds);
        }

        long forwardNanos() {
            return nanos(forwardSeconds);
        }

        long wallNanos() {
            return nanos(wallSeconds);
        }

        List<List<Box>> boxes() {
            return faces.stream()
                    .map(f -> f.stream().map(Detection::box).toList())
                    .toList();
        }

        private static long nanos(double[] seconds) {
            double s = 0;
            for (double v : seconds) {
                s += v;
            }
            return Math.round(s * 1e9);
        }
    }

    private OpenCvDetectPeer(PythonPeer peer) {
        this.peer = peer;
    }

    /**
     * Starts {@code python} on the shipped script; fails with the script's own message when OpenCV for Python is
     * missing, and with what to install when {@code python} cannot be started.
     */
    static OpenCvDetectPeer start(String python) {
        return new OpenCvDetectPeer(PythonPeer.start(NAME, python, SCRIPT, List.of()));
    }

    String version() {
        return peer.version();
    }

    /** Detects every frame of {@code frames} as {@code spec} says; the detection of each frame timed by the peer. */
    Result detect(Spec spec, PeerFrames frames) {
        Map<String, Object> input = new LinkedHashMap<>();
        ModelManifest.Input i = spec.input();
        if (i.width() != i.height()) {
            throw new IllegalArgumentException("a BlazeFace input is square, got " + i.width() + "x" + i.height());
        }
        input.put("size", i.width());
        input.put("layout", i.layout());
        input.put("color_order", i.colorOrder().name());
        input.put("mean", i.mean());
        input.put("std", i.std());
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("model", spec.model().toString());
        req.put("frames", frames.file().toString());
        req.put("count", frames.count());
        req.put("width", frames.width());
        req.put("height", frames.height());
        req.put("threads", spec.threads());
        req.put("input", input);
        req.put("anchors", spec.anchors());
        FaceSettings.BlazeFace b = spec.settings();
        // as the float the Java detector compares with, not the configuration's double
        req.put("min_score", b.minScore());
        req.put("iou", b.iouThreshold());
        req.put("max_faces", b.maxFaces());
        req.put("tile", b.tile());
        req.put("tile_overlap", b.tileOverlap());
        JsonNode r = peer.ask(req);
        if (r.path("count").asInt() != frames.count()) {
            throw new CommandFailed(
                    "OpenCV DNN peer answered for " + r.path("count") + " frames, " + frames.count() + " were asked");
        }
        double[] cpu = doubles(r.path("cpu_s"), frames.count(), "cpu_s");
        double[] wall = doubles(r.path("wall_s"), frames.count(), "wall_s");
        double[] forward = doubles(r.path("forward_cpu_s"), frames.count(), "forward_cpu_s");
        JsonNode perFrame = r.path("faces");
        if (perFrame.size() != frames.count()) {
            throw new CommandFailed(
                    "OpenCV DNN peer gave faces for " + perFrame.size() + " of " + frames.count() + " frames");
        }
        List<List<Detection>> faces = new ArrayList<>(frames.count());
        for (JsonNode frame : perFrame) {
            List<Detection> ds = new ArrayList<>(frame.size());
            for (JsonNode d : frame) {
                ds.add(new Detection(
                        Box.fromCorners(
                                (float) d.get(0).asDouble(),
                                (float) d.get(1).asDouble(),
                                (float) d.get(2).asDouble(),
                                (float) d.get(3).asDouble()),
                        (float) d.get(4).asDouble()));
            }
            faces.add(ds);
        }
        return new Result(faces, cpu, wall, forward);
    }

    private static double[] doubles(JsonNode array, int n, String field) {
        if (array.size() != n) {
            throw new CommandFailed(
                    "OpenCV DNN peer gave " + array.size() + " " + field + " values for " + n + " frames");
        }
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = array.get(k).asDouble();
        }
        return v;
    }

    @Override
    public void close() {
        peer.close();
    }
}

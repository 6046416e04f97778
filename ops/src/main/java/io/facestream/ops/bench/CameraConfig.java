package io.facestream.ops.bench;

import io.facestream.core.config.FacestreamConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row configuration of {@code bench cameras}: a name and the configuration keys it sets on top of the command's
 * configuration. A new lever (a detector, a setting) is one more preset here, or ad hoc on the command line as
 * {@code DETECTOR+KEY=VALUE+...}, e.g. {@code mtcnn+face.mtcnn.min-face-size=60}; a part without {@code =} belongs to
 * the value before it ({@code mtcnn+face.gating.mode=motion+tracks}).
 *
 * @param name      the row's name (the {@code --detector} value)
 * @param overrides configuration keys this row sets
 */
public record CameraConfig(String name, Map<String, Object> overrides) {
    /** Full-frame MTCNN at the configured settings: the first row of every resolution, the one the others compare to. */
    public static final CameraConfig REFERENCE =
            new CameraConfig("mtcnn", Map.of("face.detector", "mtcnn", "face.gating.mode", "off"));

    /**
     * MediaPipe's full-range model also on overlapping 384 px tiles, so a 1080p frame is seen at 2× instead of 10×
     * shrink; score threshold 0.6, not the short-range models' 0.75: measured, it finds many more of the small faces.
     */
    private static final CameraConfig BLAZEFACE_FULL_TILED = new CameraConfig(
            "blazeface-full-tiled",
            Map.of(
                    "face.detector",
                    "blazeface-full",
                    "face.blazeface.min-score",
                    0.6,
                    "face.blazeface.tile",
                    384,
                    "face.blazeface.tile-overlap",
                    0.25));

    /** The named configurations, in their default row order. */
    public static final List<CameraConfig> PRESETS = List.of(
            REFERENCE,
            new CameraConfig("mtcnn-min40", Map.of("face.detector", "mtcnn", "face.mtcnn.min-face-size", 40)),
            // MediaPipe's short-range model (128×128 input), made for faces filling much of the image
            new CameraConfig("blazeface", Map.of("face.detector", "blazeface-front")),
            // MediaPipe's full-range model (192×192 input, made for small faces) on the letterboxed frame ...
            new CameraConfig(
                    "blazeface-full", Map.of("face.detector", "blazeface-full", "face.blazeface.min-score", 0.6)),
            // ... and also on tiles
            BLAZEFACE_FULL_TILED,
            // the tiled full-range model only where the picture moved or faces were (the whole frame every 10th)
            BLAZEFACE_FULL_TILED.gated("blazeface-full-tiled-motion-tracks", "motion+tracks", 10),
            // MTCNN's execution A/B: the original path (fresh heap arrays, copied by ONNX Runtime on every call) ...
            new CameraConfig("mtcnn-heap", Map.of("face.detector", "mtcnn", "face.mtcnn.reuse-buffers", false)),
            // ... and the pyramid built level from level instead of from the full frame
            new CameraConfig("mtcnn-chained", Map.of("face.detector", "mtcnn", "face.mtcnn.pyramid", "chained")),
            // detection only where the picture changed (motion), around the faces of the frames before (tracks) or
            // both, the whole frame every face.gating.full-every frames; pinned to full-every 5, as first measured
            gated("mtcnn-motion", "motion", 5, 0),
            gated("mtcnn-tracks", "tracks", 5, 0),
            gated("mtcnn-motion-tracks", "motion+tracks", 5, 0),
            gated("mtcnn-min40-tracks", "tracks", 5, 40),
            gated("mtcnn-min40-motion-tracks", "motion+tracks", 5, 40),
            // the recommended camera setting (docs/performance.md): fewer whole frames, same recall on the footage
            gated("mtcnn-motion-tracks-full10", "motion+tracks", 10, 0));

    /** MTCNN gated by {@code mode} with a whole frame every {@code fullEvery}; {@code minFace} 0 = as configured. */
    private static CameraConfig gated(String name, String mode, int fullEvery, int minFace) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("face.detector", "mtcnn");
        if (minFace > 0) {
            o.put("face.mtcnn.min-face-size", minFace);
        }
        return new CameraConfig(name, o).gated(name, mode, fullEvery);
    }

    public CameraConfig {
        overrides = Map.copyOf(overrides);
    }

    /** This configuration gated by {@code mode}, the whole frame every {@code fullEvery} frames, named {@code name}. */
    private CameraConfig gated(String name, String mode, int fullEvery) {
        Map<String, Object> o = new LinkedHashMap<>(overrides);
        o.put("face.gating.mode", mode);
        o.put("face.gating.full-every", fullEvery);
        return new CameraConfig(name, o);
    }

    /** A preset name, or {@code DETECTOR[+KEY=VALUE...]} with a model-store detector name. */
    public static CameraConfig parse(String spec) {
        String s = spec.trim();
        for (CameraConfig p : PRESETS) {
            if (p.name.equals(s)) {
                return p;
            }
        }
        String[] parts = s.split("\\+");
        if (parts[0].isBlank() || parts[0].contains("=")) {
            throw new IllegalArgumentException("--detector '" + spec + "': give a preset ("
                    + PRESETS.stream().map(CameraConfig::name).toList()
                    + ") or DETECTOR[+KEY=VALUE...], e.g. mtcnn+face.mtcnn.min-face-size=60");
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("face.detector", parts[0]);
        String last = null;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0 && last != null) {
                // a value with a '+' of its own, e.g. face.gating.mode=motion+tracks
                overrides.put(last, overrides.get(last) + "+" + parts[i].trim());
                continue;
            }
            if (eq <= 0) {
                throw new IllegalArgumentException("--detector '" + spec + "': '" + parts[i] + "' is not KEY=VALUE");
            }
            last = parts[i].substring(0, eq).trim();
            overrides.put(last, parts[i].substring(eq + 1).trim());
        }
        return new CameraConfig(s, overrides);
    }

    /**
     * The configuration of this row: {@code base} with its overrides, single-threaded inference so that the calling
     * thread's CPU time is the whole cost of a frame.
     */
    public FacestreamConfig apply(FacestreamConfig base) {
        Map<String, Object> all = new LinkedHashMap<>(overrides);
        all.put("face.intra-op-threads", 1);
        return base.with(all);
    }

    public String describe() {
        return name + " (" + new java.util.TreeMap<>(overrides) + ")";
    }
}

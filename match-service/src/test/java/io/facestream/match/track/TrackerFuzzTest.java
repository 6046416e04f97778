package io.facestream.match.track;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.ModelRef;
import io.facestream.core.testing.Fuzzing;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.topology.FaceValidator;
import io.facestream.match.topology.InvalidFaceException;
import io.facestream.match.topology.ModelDimensions;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes a camera's face observations through what the matching topology does with each record: the
 * {@link FaceValidator}, {@link Sighting#of}, one {@link Tracker} step, and for every track event the template the
 * identify step searches with. A record is refused with an {@link InvalidFaceException} or taken; a taken record never
 * makes the tracker throw, and every track with an accepted face has a finite unit template (the identify step calls
 * {@code template().unit()}; a template that overflowed to infinity would fail every decision of its track).
 *
 * <p>Input: one face per line, fields separated by {@code ;}:
 * {@code camera;model;seq;ts;x,y,w,h;embedding,...;norm;quality;rejected[;key]} (model {@code name:version}; the key is
 * the camera unless given; {@code mfn:1} has a 4-value manifest, other models are unknown).
 */
class TrackerFuzzTest {
    private static final int MAX_FACES = 64;
    private static final ModelVersion KNOWN = new ModelVersion("mfn", "1");
    private static final FaceValidator VALIDATOR = new FaceValidator(
            m -> m.equals(KNOWN) ? Optional.of(new ModelDimensions.Known(4, "model manifest")) : Optional.empty());
    private static final Tracker TRACKER = new Tracker(
            TrackerSettings.from(FacestreamConfig.builder().isolated().build()));

    @DictionaryEntries({
        "3.4e38",
        "1e38",
        "-1e38",
        "1e-45",
        "NaN",
        "Infinity",
        "mfn:1",
        "9223372036854775807",
        "1700000000000000"
    })
    @FuzzTest(maxDuration = "30s")
    void observe(byte[] data) {
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n");
        Map<String, CameraTracks> cameras = new HashMap<>();
        long arrival = 1_000;
        for (int i = 0; i < Math.min(lines.length, MAX_FACES); i++) {
            String[] f = lines[i].split(";", -1);
            FaceObservation face = face(f);
            String key = f.length > 9 ? f[9] : face.getCameraId();
            long offset = i;
            long now = arrival += 40;
            Fuzzing.check(
                    () -> {
                        VALIDATOR.check(key, face, cameras.get(key));
                        Sighting s = Sighting.of(face, 0, offset);
                        Tracker.Step step = TRACKER.observe(cameras.getOrDefault(key, CameraTracks.fresh()), s, now);
                        if (!step.late()) {
                            cameras.put(key, step.state());
                        }
                        step.events().forEach(e -> decidable(e.track()));
                        step.state().open().forEach(TrackerFuzzTest::decidable);
                    },
                    InvalidFaceException.class);
        }
        Fuzzing.check(() -> cameras.forEach((camera, state) ->
                TRACKER.closeIfIdle(camera, state, Long.MAX_VALUE).events().forEach(e -> decidable(e.track()))));
    }

    private static void decidable(Track t) {
        if (t.acceptedFaces() == 0) {
            return;
        }
        float[] unit = t.template().unit();
        double sq = 0;
        for (float v : unit) {
            assertTrue(Float.isFinite(v), "track " + t.id() + " has a non-finite unit template");
            sq += (double) v * v;
        }
        assertTrue(Math.abs(sq - 1) < 1e-3, "track " + t.id() + " template is not unit length: " + sq);
    }

    private static FaceObservation face(String[] f) {
        FaceObservation.Builder b = FaceObservation.newBuilder();
        if (f.length > 0) {
            b.setCameraId(f[0]);
        }
        if (f.length > 1 && !f[1].isEmpty()) {
            int sep = f[1].indexOf(':');
            b.setModel(ModelRef.newBuilder()
                    .setName(sep < 0 ? f[1] : f[1].substring(0, sep))
                    .setVersion(sep < 0 ? "" : f[1].substring(sep + 1)));
        }
        b.setFrameSeq(f.length > 2 ? parseLong(f[2], 0) : 0);
        b.setCaptureTsUs(f.length > 3 ? parseLong(f[3], 1_700_000_000_000_000L) : 1_700_000_000_000_000L);
        if (f.length > 4 && !f[4].isEmpty()) {
            float[] box = floats(f[4]);
            b.setBox(Box.newBuilder()
                    .setX(at(box, 0))
                    .setY(at(box, 1))
                    .setWidth(at(box, 2))
                    .setHeight(at(box, 3)));
        }
        if (f.length > 5 && !f[5].isEmpty()) {
            for (float v : floats(f[5])) {
                b.addEmbedding(v);
            }
        }
        b.setNorm(f.length > 6 ? parseFloat(f[6], 1) : 1);
        b.setQuality(f.length > 7 ? parseFloat(f[7], 0) : 0);
        b.setRejected(f.length > 8 && f[8].trim().equals("1"));
        return b.build();
    }

    private static float at(float[] v, int i) {
        return i < v.length ? v[i] : 0;
    }

    private static float[] floats(String csv) {
        List<String> parts = List.of(csv.split(","));
        float[] out = new float[Math.min(parts.size(), 1024)];
        for (int i = 0; i < out.length; i++) {
            out[i] = parseFloat(parts.get(i), 0);
        }
        return out;
    }

    private static long parseLong(String s, long fallback) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static float parseFloat(String s, float fallback) {
        try {
            return Float.parseFloat(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}

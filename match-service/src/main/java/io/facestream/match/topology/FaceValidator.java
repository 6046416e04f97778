package io.facestream.match.topology;

import io.facestream.core.events.Box;
import io.facestream.core.events.CameraId;
import io.facestream.core.events.FaceObservation;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.track.CameraTracks;
import io.facestream.match.track.Track;
import java.util.Optional;

/**
 * The rules every record of {@code facestream.faces} must pass before the tracker sees it. A record that breaks one
 * would poison the camera's track (a NaN feature makes every later template NaN; a feature of another length cannot be
 * fused or compared) or stop the whole partition, so it is refused with a message naming what is wrong, and the
 * topology dead-letters it and goes on with the next record.
 *
 * <ul>
 *   <li><b>key</b>: a valid camera id ({@link CameraId}); <b>value</b>: present (not a tombstone);
 *       <b>camera</b>: {@code camera_id} equal to the key (tracks are stored and partitioned by the key);</li>
 *   <li><b>model</b>: a well-formed {@code name:version} ({@link ModelVersion}'s rules), of a model that produces
 *       features;</li>
 *   <li><b>capture-time</b>: positive epoch microseconds (the tracker's clock);</li>
 *   <li><b>box</b>: present, finite, with a positive width and height;</li>
 *   <li><b>embedding</b>: present, every value finite and at most {@value #MAX_ABS_VALUE} in magnitude (a track's
 *       template is the sum of its faces' features and must stay finite), not all zero, and of the model version's
 *       length: from its manifest, else the gallery's vectors of that version, else the camera's open track of that
 *       version;</li>
 *   <li><b>norm</b>: finite and not negative; <b>quality</b>: finite.</li>
 * </ul>
 */
public final class FaceValidator {
    /**
     * The largest feature value taken: far beyond what any embedder produces (norms are tens), far below where a sum
     * of a track's faces could overflow a float (that would need more than 10^23 faces).
     */
    public static final float MAX_ABS_VALUE = 1e15f;

    private final ModelDimensions dimensions;

    public FaceValidator(ModelDimensions dimensions) {
        this.dimensions = dimensions;
    }

    /**
     * Checks one record.
     *
     * @param key    the record key
     * @param face   the parsed value, null for a tombstone
     * @param camera the stored state of the key's camera, null for a camera not seen yet
     * @throws InvalidFaceException naming the first rule the record breaks
     */
    /**
     * An embed-service progress record (a camera's clock and silence, no face): the key is the camera id, the capture
     * time positive, the silence not negative.
     */
    public void checkProgress(String key, FaceObservation progress) {
        if (key == null) {
            throw bad("key", "key is missing: a progress record's key is its camera id");
        }
        try {
            CameraId.of(key);
        } catch (IllegalArgumentException e) {
            throw bad("key", "key: " + e.getMessage());
        }
        if (!key.equals(progress.getCameraId())) {
            throw bad(
                    "camera",
                    "camera_id '" + abbreviate(progress.getCameraId()) + "' differs from the key '" + key
                            + "': the key must be the camera id");
        }
        if (progress.getCaptureTsUs() <= 0) {
            throw bad(
                    "capture-time",
                    "capture_ts_us must be positive epoch microseconds, got " + progress.getCaptureTsUs());
        }
        if (progress.getProgress().getSilentMs() < 0) {
            throw bad(
                    "progress",
                    "progress silent_ms is negative: " + progress.getProgress().getSilentMs());
        }
    }

    public void check(String key, FaceObservation face, CameraTracks camera) {
        if (key == null) {
            throw bad("key", "key is missing: a face record's key is its camera id");
        }
        try {
            CameraId.of(key);
        } catch (IllegalArgumentException e) {
            throw bad("key", "key: " + e.getMessage());
        }
        if (face == null) {
            throw bad("value", "value is missing (a tombstone): a face record is a FaceObservation");
        }
        if (!key.equals(face.getCameraId())) {
            throw bad(
                    "camera",
                    "camera_id '" + abbreviate(face.getCameraId()) + "' differs from the key '" + key
                            + "': the key must be the camera id");
        }
        ModelVersion model = model(face);
        if (face.getCaptureTsUs() <= 0) {
            throw bad(
                    "capture-time", "capture_ts_us must be positive epoch microseconds, got " + face.getCaptureTsUs());
        }
        box(face);
        embedding(face, model, key, camera);
        if (!Float.isFinite(face.getNorm())) {
            throw bad("norm", "norm is not finite: " + face.getNorm());
        }
        if (face.getNorm() < 0) {
            throw bad("norm", "norm is negative: " + face.getNorm());
        }
        if (!Float.isFinite(face.getQuality())) {
            throw bad("quality", "quality is not finite: " + face.getQuality());
        }
    }

    private static ModelVersion model(FaceObservation face) {
        if (!face.hasModel()) {
            throw bad("model", "model is missing: a face names the model (name and version) that embedded it");
        }
        try {
            return ModelVersion.of(face.getModel());
        } catch (IllegalArgumentException e) {
            throw bad("model", "model: " + e.getMessage());
        }
    }

    private static void box(FaceObservation face) {
        if (!face.hasBox()) {
            throw bad("box", "box is missing");
        }
        Box b = face.getBox();
        float[] values = {b.getX(), b.getY(), b.getWidth(), b.getHeight()};
        String[] names = {"x", "y", "width", "height"};
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw bad("box", "box " + names[i] + " is not finite: " + values[i]);
            }
        }
        if (!(b.getWidth() > 0) || !(b.getHeight() > 0)) {
            throw bad("box", "box has no area: " + b.getWidth() + "x" + b.getHeight());
        }
    }

    private void embedding(FaceObservation face, ModelVersion model, String key, CameraTracks camera) {
        int n = face.getEmbeddingCount();
        if (n == 0) {
            throw bad("embedding", "embedding is empty: the match service needs the raw feature");
        }
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float v = face.getEmbedding(i);
            if (!Float.isFinite(v)) {
                throw bad("embedding", "embedding value " + i + " of " + n + " is not finite: " + v);
            }
            if (Math.abs(v) > MAX_ABS_VALUE) {
                throw bad(
                        "embedding",
                        "embedding value " + i + " of " + n + " is " + v + ", beyond " + MAX_ABS_VALUE
                                + ": a track's template (the sum of its faces) would overflow");
            }
            sq += (double) v * v;
        }
        if (!(sq > 0)) {
            throw bad("embedding", "embedding is a zero vector (" + n + " values): it has no direction to compare");
        }
        Optional<ModelDimensions.Known> expected = dimensions.of(model).or(() -> openTrack(model, key, camera));
        if (expected.isPresent()) {
            ModelDimensions.Known k = expected.get();
            if (k.size() == 0) {
                throw bad("model", "model " + model + " produces no features (" + k.source() + ")");
            }
            if (k.size() != n) {
                throw bad(
                        "embedding",
                        "embedding has " + n + " values, but " + model + " features have " + k.size() + " ("
                                + k.source() + ")");
            }
        }
    }

    private static Optional<ModelDimensions.Known> openTrack(ModelVersion model, String key, CameraTracks camera) {
        if (camera == null) {
            return Optional.empty();
        }
        for (Track t : java.util.stream.Stream.concat(camera.open().stream(), camera.lateOpen().stream())
                .toList()) {
            if (t.model().equals(model.toString()) && !t.template().isEmpty()) {
                return Optional.of(new ModelDimensions.Known(
                        t.template().dimension(), "open track " + t.id() + " of camera " + key));
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private static InvalidFaceException bad(String rule, String message) {
        return new InvalidFaceException(rule, message);
    }
}

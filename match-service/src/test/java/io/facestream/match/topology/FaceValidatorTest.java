package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.core.events.Box;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.ModelRef;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.track.CameraTracks;
import io.facestream.match.track.Sighting;
import io.facestream.match.track.Tracker;
import io.facestream.match.track.TrackerSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each rule of the face record check, and that the message names what is wrong. */
class FaceValidatorTest {
    private static final ModelVersion KNOWN = new ModelVersion("mobilefacenet", "1.0.24");
    /** The manifest knows mobilefacenet:1.0.24 (192 values) and that mtcnn is a detector; nothing else. */
    private static final ModelDimensions MANIFESTS = m -> m.equals(KNOWN)
            ? Optional.of(new ModelDimensions.Known(192, "model manifest"))
            : m.name().equals("mtcnn")
                    ? Optional.of(new ModelDimensions.Known(0, "model manifest: a detector, not an embedder"))
                    : Optional.empty();

    private final FaceValidator validator = new FaceValidator(MANIFESTS);

    private static FaceObservation.Builder face(String camera, ModelVersion model, int dims) {
        FaceObservation.Builder b = FaceObservation.newBuilder()
                .setCameraId(camera)
                .setFrameSeq(7)
                .setCaptureTsUs(1_763_792_000_000_000L)
                .setBox(Box.newBuilder().setX(10).setY(20).setWidth(60).setHeight(60))
                .setModel(ModelRef.newBuilder().setName(model.name()).setVersion(model.version()))
                .setNorm(20)
                .setQuality(0.5f);
        for (int i = 0; i < dims; i++) {
            b.addEmbedding(i == 0 ? 20 : 0.01f);
        }
        return b;
    }

    private static FaceObservation good() {
        return face("door", KNOWN, 192).build();
    }

    private InvalidFaceException refused(String key, FaceObservation face, CameraTracks camera) {
        return assertThrows(InvalidFaceException.class, () -> validator.check(key, face, camera));
    }

    private InvalidFaceException refused(UnaryOperator<FaceObservation.Builder> change) {
        return refused("door", change.apply(good().toBuilder()).build(), null);
    }

    private static void assertRefusal(String rule, String message, InvalidFaceException e) {
        assertEquals(message, e.getMessage());
        assertEquals(rule, e.rule(), e.getMessage());
    }

    @Test
    void aWellFormedFacePasses() {
        validator.check("door", good(), null);
        validator.check(
                "door",
                good().toBuilder()
                        .setRejected(true)
                        .setQuality(-3.5f)
                        .setNorm(0.5f)
                        .build(),
                CameraTracks.fresh());
    }

    @Test
    void keyMustBeAValidCameraIdAndEqualTheCameraIdInTheValue() {
        assertRefusal("key", "key is missing: a face record's key is its camera id", refused(null, good(), null));
        assertRefusal(
                "key",
                "key: invalid camera id 'front door': use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit",
                refused(
                        "front door",
                        good().toBuilder().setCameraId("front door").build(),
                        null));
        assertRefusal(
                "camera",
                "camera_id 'lobby' differs from the key 'door': the key must be the camera id",
                refused("door", good().toBuilder().setCameraId("lobby").build(), null));
        assertRefusal(
                "camera",
                "camera_id '' differs from the key 'door': the key must be the camera id",
                refused(b -> b.clearCameraId()));
    }

    @Test
    void aTombstoneIsRefused() {
        assertRefusal(
                "value",
                "value is missing (a tombstone): a face record is a FaceObservation",
                refused("door", null, null));
    }

    @Test
    void modelMustBeAWellFormedReferenceToAnEmbedder() {
        assertRefusal(
                "model",
                "model is missing: a face names the model (name and version) that embedded it",
                refused(b -> b.clearModel()));
        assertRefusal(
                "model",
                "model: model version '' of model mobilefacenet is not valid: 1-64 letters, digits, . _ + or -",
                refused(b -> b.setModel(ModelRef.newBuilder().setName("mobilefacenet"))));
        assertRefusal(
                "model",
                "model: model name 'mobile.facenet' is not valid: 1-64 letters, digits, _ or - (no dots)",
                refused(b -> b.setModel(
                        ModelRef.newBuilder().setName("mobile.facenet").setVersion("1"))));
        assertRefusal(
                "model",
                "model mtcnn:1.0.24 produces no features (model manifest: a detector, not an embedder)",
                refused(b -> b.setModel(ModelRef.newBuilder().setName("mtcnn").setVersion("1.0.24"))));
    }

    @Test
    void captureTimeMustBePositive() {
        assertRefusal(
                "capture-time",
                "capture_ts_us must be positive epoch microseconds, got 0",
                refused(b -> b.setCaptureTsUs(0)));
        assertRefusal(
                "capture-time",
                "capture_ts_us must be positive epoch microseconds, got -5",
                refused(b -> b.setCaptureTsUs(-5)));
    }

    @Test
    void boxMustBeFiniteWithAnArea() {
        assertRefusal("box", "box is missing", refused(b -> b.clearBox()));
        assertRefusal(
                "box",
                "box x is not finite: NaN",
                refused(b -> b.setBox(b.getBox().toBuilder().setX(Float.NaN))));
        assertRefusal(
                "box",
                "box height is not finite: Infinity",
                refused(b -> b.setBox(b.getBox().toBuilder().setHeight(Float.POSITIVE_INFINITY))));
        assertRefusal(
                "box",
                "box has no area: 0.0x60.0",
                refused(b -> b.setBox(b.getBox().toBuilder().setWidth(0))));
        assertRefusal(
                "box",
                "box has no area: 60.0x-4.0",
                refused(b -> b.setBox(b.getBox().toBuilder().setHeight(-4))));
    }

    @Test
    void embeddingMustBeFiniteNonZeroAndOfTheModelsLength() {
        assertRefusal(
                "embedding", "embedding value 0 of 192 is not finite: NaN", refused(b -> b.setEmbedding(0, Float.NaN)));
        assertRefusal(
                "embedding",
                "embedding value 191 of 192 is not finite: -Infinity",
                refused(b -> b.setEmbedding(191, Float.NEGATIVE_INFINITY)));
        assertRefusal(
                "embedding",
                "embedding is empty: the match service needs the raw feature",
                refused(b -> b.clearEmbedding()));
        assertRefusal(
                "embedding", "embedding is a zero vector (192 values): it has no direction to compare", refused(b -> {
                    b.clearEmbedding();
                    for (int i = 0; i < 192; i++) {
                        b.addEmbedding(0);
                    }
                    return b;
                }));
        assertRefusal(
                "embedding",
                "embedding has 128 values, but mobilefacenet:1.0.24 features have 192 (model manifest)",
                refused("door", face("door", KNOWN, 128).build(), null));
    }

    @Test
    void withoutAManifestTheLengthFollowsTheGalleryThenTheCamerasOpenTrack() {
        ModelVersion unknown = new ModelVersion("test", "1");
        // nothing knows test:1 yet: any length passes
        validator.check("door", face("door", unknown, 16).build(), null);

        FaceValidator withGallery = new FaceValidator(MANIFESTS.or(m ->
                m.equals(unknown) ? Optional.of(new ModelDimensions.Known(16, "gallery vectors")) : Optional.empty()));
        assertRefusal(
                "embedding",
                "embedding has 8 values, but test:1 features have 16 (gallery vectors)",
                assertThrows(
                        InvalidFaceException.class,
                        () -> withGallery.check("door", face("door", unknown, 8).build(), null)));

        Tracker tracker = new Tracker(new TrackerSettings(
                0.3, 0.2, 0.55, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), 3));
        CameraTracks camera = tracker.observe(
                        CameraTracks.fresh(),
                        Sighting.of(face("door", unknown, 16).build(), 0, 1),
                        0)
                .state();
        assertRefusal(
                "embedding",
                "embedding has 8 values, but test:1 features have 16 (open track 1 of camera door)",
                refused("door", face("door", unknown, 8).build(), camera));
        validator.check("door", face("door", unknown, 16).build(), camera);
        // another version of the model is another space: its length is its own
        validator.check("door", face("door", new ModelVersion("test", "2"), 8).build(), camera);
    }

    @Test
    void normMustBeFiniteAndNotNegativeQualityFinite() {
        assertRefusal("norm", "norm is not finite: NaN", refused(b -> b.setNorm(Float.NaN)));
        assertRefusal("norm", "norm is negative: -1.0", refused(b -> b.setNorm(-1)));
        assertRefusal(
                "quality", "quality is not finite: Infinity", refused(b -> b.setQuality(Float.POSITIVE_INFINITY)));
        assertRefusal("quality", "quality is not finite: NaN", refused(b -> b.setQuality(Float.NaN)));
    }

    @Test
    void theFirstRuleBrokenIsTheOneReported() {
        // a NaN embedding on a record with a mismatched camera: the key rule comes first
        assertEquals(
                "camera",
                refused(
                                "door",
                                face("lobby", KNOWN, 192)
                                        .setEmbedding(0, Float.NaN)
                                        .build(),
                                null)
                        .rule());
    }
}

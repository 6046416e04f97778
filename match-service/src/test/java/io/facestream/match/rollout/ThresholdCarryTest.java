package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.decide.FpirCalibration;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.decide.ThresholdTransfer;
import io.facestream.match.gallery.ThresholdMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A calibrated gallery keeps its open-set behaviour across a model roll-out: the running follower re-embeds the
 * stored crops with the released version (real MobileFaceNet on ONNX Runtime, real gallery topic and Lucene index)
 * and writes a threshold for it, transferred through the gallery's impostor pairs. The release here has the same
 * weights under a new version, so every vector is the same and the carried threshold must be the old one. A gallery
 * too small to transfer from gets none (decisions fall back to the default and a warning says so).
 */
@KafkaBroker
class ThresholdCarryTest {
    private static final int SUBJECTS = 18, FEW = 3;

    @Test
    void aCalibratedThresholdIsCarriedToTheReleasedVersion(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        RolloutFixtures.TwoVersions models = RolloutFixtures.TwoVersions.install("carry", dir, bootstrap);
        ModelVersion from = models.from(), to = models.to();
        String big = "big-" + models.model(), small = "small-" + models.model();
        List<ModelVersion> rolledOut = new CopyOnWriteArrayList<>();
        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap);
                FaceEmbedder embedder = models.embedder()) {
            RolloutFixtures.enrol(gallery, big, SUBJECTS, embedder, from, 11);
            RolloutFixtures.enrol(gallery, small, FEW, embedder, from, 99);
            double[] scores =
                    ImpostorPairs.of(gallery.index(), big, from, from, 1_000).from();
            assertEquals(SUBJECTS * (SUBJECTS - 1) / 2, scores.length, "one template per subject, all pairs impostors");
            // a threshold with 20 impostor pairs above it: the quantile method applies
            OpenSetThreshold calibrated = FpirCalibration.calibrate(scores, 20.0 / scores.length);
            setThreshold(gallery, big, from, calibrated);
            setThreshold(gallery, small, from, calibrated);

            try (ReleaseFollower follower = models.follow(bootstrap, gallery, Duration.ofSeconds(30), rolledOut::add)) {
                models.release(bootstrap);
                RolloutFixtures.await("the release rolled out", () -> !rolledOut.isEmpty(), 120);
                assertEquals(List.of(to), rolledOut, "the release was rolled out");

                Optional<OpenSetThreshold> carried = threshold(gallery, big, to);
                assertTrue(carried.isPresent(), "the calibrated gallery has a threshold for " + to);
                assertEquals(
                        calibrated.value(), carried.get().value(), 1e-4, "same weights, same vectors, same threshold");
                assertEquals(calibrated.targetFpir(), carried.get().targetFpir());
                assertTrue(
                        carried.get()
                                .source()
                                .startsWith("transferred from " + from + " (quantile, " + scores.length
                                        + " impostor pairs"),
                        carried.get().source());
                assertEquals(
                        calibrated.value(),
                        threshold(gallery, big, from).orElseThrow().value(),
                        "the old one stays");
                assertTrue(
                        threshold(gallery, small, to).isEmpty(),
                        FEW + " subjects give " + FEW * (FEW - 1) / 2 + " pairs, fewer than "
                                + ThresholdTransfer.MIN_PAIRS);
                models.withdraw(bootstrap);
            }
        }
    }

    private static Optional<OpenSetThreshold> threshold(Gallery gallery, String name, ModelVersion model) {
        return ThresholdMetadata.read(
                gallery.index().definition(name).orElseThrow().metadata(), model.toString());
    }

    private static void setThreshold(Gallery gallery, String name, ModelVersion model, OpenSetThreshold t)
            throws Exception {
        GalleryDefinition d = gallery.index().definition(name).orElseThrow();
        gallery.publishAll(
                List.of(new GalleryChange.DefineGallery(ThresholdMetadata.withThreshold(d, model.toString(), t))));
    }
}

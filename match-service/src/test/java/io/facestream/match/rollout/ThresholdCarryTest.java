package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
        String model = "carry" + UUID.randomUUID().toString().substring(0, 6);
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelStore.InstalledModel base = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        ModelStore.InstalledModel v1 = RolloutFixtures.install(base, store, model, "1");
        RolloutFixtures.install(base, store, model, "2");
        ModelVersion from = new ModelVersion(model, "1"), to = new ModelVersion(model, "2");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);
        String big = "big-" + model, small = "small-" + model;
        List<ModelVersion> rolledOut = new CopyOnWriteArrayList<>();
        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap);
             FaceEmbedder embedder = new FaceEmbedder(v1, sessions, 8)) {
            RolloutFixtures.enrol(gallery, big, SUBJECTS, embedder, from, 11);
            RolloutFixtures.enrol(gallery, small, FEW, embedder, from, 99);
            double[] scores = ImpostorPairs.of(gallery.index(), big, from, from, 1_000).from();
            assertEquals(SUBJECTS * (SUBJECTS - 1) / 2, scores.length, "one template per subject, all pairs impostors");
            // a threshold with 20 impostor pairs above it: the quantile method applies
            OpenSetThreshold calibrated = FpirCalibration.calibrate(scores, 20.0 / scores.length);
            setThreshold(gallery, big, from, calibrated);
            setThreshold(gallery, small, from, calibrated);

            Rollouts rollouts = Rollouts.over(gallery.index());
            try (ReleaseFollower follower = ReleaseFollower.start(bootstrap, model, store, gallery, rollouts,
                    m -> new FaceEmbedder(m, sessions, 8), Duration.ofSeconds(30), rolledOut::add);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "carry-" + model))) {
                ModelRelease release = ModelRelease.newBuilder().setName(model).setVersion("2").setPreviousVersion("1")
                        .setLocation(store.root().resolve(model).resolve("2").toString()).build();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, release.toByteArray())).get();
                long deadline = System.currentTimeMillis() + 120_000;
                while (rolledOut.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(List.of(to), rolledOut, "the release was rolled out");

                Optional<OpenSetThreshold> carried = threshold(gallery, big, to);
                assertTrue(carried.isPresent(), "the calibrated gallery has a threshold for " + to);
                assertEquals(calibrated.value(), carried.get().value(), 1e-4, "same weights, same vectors, same threshold");
                assertEquals(calibrated.targetFpir(), carried.get().targetFpir());
                assertTrue(carried.get().source().startsWith("transferred from " + from + " (quantile, "
                        + scores.length + " impostor pairs"), carried.get().source());
                assertEquals(calibrated.value(), threshold(gallery, big, from).orElseThrow().value(), "the old one stays");
                assertTrue(threshold(gallery, small, to).isEmpty(),
                        FEW + " subjects give " + FEW * (FEW - 1) / 2 + " pairs, fewer than " + ThresholdTransfer.MIN_PAIRS);
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, null)).get();
            }
        }
    }

    private static Optional<OpenSetThreshold> threshold(Gallery gallery, String name, ModelVersion model) {
        return ThresholdMetadata.read(gallery.index().definition(name).orElseThrow().metadata(), model.toString());
    }

    private static void setThreshold(Gallery gallery, String name, ModelVersion model, OpenSetThreshold t) throws Exception {
        GalleryDefinition d = gallery.index().definition(name).orElseThrow();
        gallery.publishAll(List.of(new GalleryChange.DefineGallery(ThresholdMetadata.withThreshold(d, model.toString(), t))));
    }
}

package io.facestream.match.rollout;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.match.decide.FpirCalibration;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.decide.ThresholdTransfer;
import io.facestream.match.gallery.ThresholdMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
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
        ModelStore.InstalledModel v1 = rename(base, store, model, "1");
        rename(base, store, model, "2");
        ModelVersion from = new ModelVersion(model, "1"), to = new ModelVersion(model, "2");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);
        String big = "big-" + model, small = "small-" + model;
        List<ModelVersion> rolledOut = new CopyOnWriteArrayList<>();
        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap);
             FaceEmbedder embedder = new FaceEmbedder(v1, sessions, 8)) {
            enrol(gallery, big, SUBJECTS, embedder, from, 11);
            enrol(gallery, small, FEW, embedder, from, 99);
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

    /** One medium per subject: a smooth random colour field as its stored crop, embedded with the old version. */
    private static void enrol(Gallery gallery, String name, int subjects, FaceEmbedder embedder, ModelVersion model,
                              long seed) {
        gallery.createGallery(name, GalleryKind.SINGLE, Map.of());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int s = 0; s < subjects; s++) {
            String id = "p" + s;
            gallery.enrol(new Subject(name, id, "", Map.of()));
            try (Mat crop = blobs(rnd, embedder.inputWidth(), embedder.inputHeight())) {
                float[] raw = embedder.embed(crop).raw();
                gallery.addMedium(new Medium(name, id, "m0", List.of(new Embedding(model, raw)), List.of(png(crop)),
                        Map.of(), System.currentTimeMillis() * 1000));
            }
        }
    }

    private static Mat blobs(SplittableRandom rnd, int width, int height) {
        try (Mat small = new Mat(6, 6, CV_8UC3)) {
            try (UByteIndexer ix = small.createIndexer()) {
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 6; x++) {
                        for (int c = 0; c < 3; c++) {
                            ix.put(y, x, c, 30 + rnd.nextInt(200));
                        }
                    }
                }
            }
            Mat out = new Mat();
            resize(small, out, new Size(width, height), 0, 0, INTER_CUBIC);
            return out;
        }
    }

    private static byte[] png(Mat image) {
        try (BytePointer buf = new BytePointer()) {
            if (!imencode(".png", image, buf)) {
                throw new IllegalStateException("cannot encode a crop");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    private static ModelStore.InstalledModel rename(ModelStore.InstalledModel from, ModelStore to, String name, String version) {
        ModelManifest m = from.manifest();
        ModelManifest target = new ModelManifest(name, version, m.kind(), m.files(), m.input(), m.embedding(), m.source(),
                m.licence(), m.notes());
        Map<String, Path> files = new HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        return to.install(target, files);
    }
}

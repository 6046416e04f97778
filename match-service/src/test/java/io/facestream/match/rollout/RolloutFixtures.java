package io.facestream.match.rollout;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** A model installed under a test's own name and versions, and galleries whose media have real stored crops. */
final class RolloutFixtures {
    private RolloutFixtures() {}

    /**
     * A test's own model: MobileFaceNet's weights installed as versions 1 and 2 of a fresh name in a store of the
     * test's own, so releasing version 2 changes no vector and no other test follows it. The shared topics exist.
     */
    record TwoVersions(String model, ModelStore store, ModelStore.InstalledModel v1, OnnxSessions sessions) {

        static TwoVersions install(String prefix, Path dir, String bootstrap) {
            String model = prefix + UUID.randomUUID().toString().substring(0, 6);
            ModelStore store = new ModelStore(dir.resolve("store"));
            ModelStore.InstalledModel base = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
            ModelStore.InstalledModel v1 = RolloutFixtures.install(base, store, model, "1");
            RolloutFixtures.install(base, store, model, "2");
            try (Admin admin = KafkaClients.admin(bootstrap)) {
                new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            }
            return new TwoVersions(model, store, v1, new OnnxSessions(Device.CPU, 1));
        }

        ModelVersion from() {
            return new ModelVersion(model, "1");
        }

        ModelVersion to() {
            return new ModelVersion(model, "2");
        }

        /** An embedder of version 1, for enrolling. */
        FaceEmbedder embedder() {
            return new FaceEmbedder(v1, sessions, 8);
        }

        /** A release follower of this model over {@code gallery}. */
        ReleaseFollower follow(
                String bootstrap, Gallery gallery, Duration checkInterval, Consumer<ModelVersion> rolledOut) {
            return ReleaseFollower.start(
                    bootstrap,
                    model,
                    store,
                    gallery,
                    Rollouts.over(gallery.index()),
                    m -> new FaceEmbedder(m, sessions, 8),
                    checkInterval,
                    rolledOut);
        }

        /** Releases version 2 (previous version 1) on {@code facestream.models}. */
        void release(String bootstrap) throws Exception {
            ModelRelease release = ModelRelease.newBuilder()
                    .setName(model)
                    .setVersion("2")
                    .setPreviousVersion("1")
                    .setLocation(store.root().resolve(model).resolve("2").toString())
                    .setSha256(store.load(model, "2").manifest().file("main").sha256())
                    .build();
            send(bootstrap, release.toByteArray());
        }

        /** Removes the release from the shared compacted topic, so later tests in this JVM never see it. */
        void withdraw(String bootstrap) throws Exception {
            send(bootstrap, null);
        }

        private void send(String bootstrap, byte[] value) throws Exception {
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaClients.producer(bootstrap, "release-" + model))) {
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, value))
                        .get();
            }
        }
    }

    /** Waits for {@code condition}, failing with {@code what} after {@code seconds}. */
    static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + ": not within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    /** One medium per subject: a smooth random colour field as its stored crop, embedded with the old version. */
    static void enrol(
            Gallery gallery, String name, int subjects, FaceEmbedder embedder, ModelVersion model, long seed) {
        gallery.createGallery(name, GalleryKind.SINGLE, Map.of());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int s = 0; s < subjects; s++) {
            String id = "p" + s;
            gallery.enrol(new Subject(name, id, "", Map.of()));
            try (Mat crop = blobs(rnd, embedder.inputWidth(), embedder.inputHeight())) {
                float[] raw = embedder.embed(crop).raw();
                gallery.addMedium(new Medium(
                        name,
                        id,
                        "m0",
                        List.of(new Embedding(model, raw)),
                        List.of(png(crop)),
                        Map.of(),
                        System.currentTimeMillis() * 1000));
            }
        }
    }

    static Mat blobs(SplittableRandom rnd, int width, int height) {
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

    static byte[] png(Mat image) {
        try (BytePointer buf = new BytePointer()) {
            if (!imencode(".png", image, buf)) {
                throw new IllegalStateException("cannot encode a crop");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** {@code from}'s files installed into {@code to} as {@code name:version}. */
    static ModelStore.InstalledModel install(
            ModelStore.InstalledModel from, ModelStore to, String name, String version) {
        ModelManifest m = from.manifest();
        ModelManifest target = new ModelManifest(
                name, version, m.kind(), m.files(), m.input(), m.embedding(), m.source(), m.licence(), m.notes());
        Map<String, Path> files = new HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        return to.install(target, files);
    }
}

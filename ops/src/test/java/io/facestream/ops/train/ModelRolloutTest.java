package io.facestream.ops.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.service.EmbedService;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.match.reembed.GalleryReembedder;
import io.facestream.match.reembed.ReembedReport;
import io.facestream.match.reembed.ServingModel;
import io.facestream.trainer.gate.EvaluationGate;
import io.facestream.trainer.gate.GatePolicy;
import io.facestream.trainer.gate.GateVerdict;
import io.facestream.trainer.gate.HeldOutFaces;
import io.facestream.trainer.release.ModelPublisher;
import io.facestream.trainer.release.ReleasedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole roll-out on a real broker: the gate accepts a candidate (the current weights under a new version, so
 * the test stays fast), the release goes to facestream.models, a running embed service swaps to it, the gallery
 * re-embeds its stored crops into the new version, and searches switch to it only once it is complete.
 */
@KafkaBroker
class ModelRolloutTest {
    private static final String MODEL = "mobilefacenet";

    @Test
    void releaseSwapsTheEmbedServiceAndTheGallerySwitchesWhenReembedded(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        Path shared = Path.of(System.getProperty("facestream.shared", "/nonexistent"));
        Path cache = Path.of(System.getProperty("facestream.cache", System.getProperty("user.home") + "/.facestream"), "models");
        Assumptions.assumeTrue(Files.isRegularFile(shared.resolve("data/photos/img2.jpeg")), "shared photos absent");
        Assumptions.assumeTrue(Files.isDirectory(cache.resolve(MODEL)) && Files.isDirectory(cache.resolve("mtcnn")),
                "mobilefacenet/mtcnn not installed in " + cache);
        ModelStore zoo = new ModelStore(cache);
        ModelStore store = new ModelStore(dir.resolve("store"));
        copy(zoo.load("mtcnn"), store, null);
        ModelStore.InstalledModel current = copy(zoo.load(MODEL), store, null);
        ModelVersion blue = new ModelVersion(MODEL, current.manifest().version());
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);

        FacestreamConfig config = FacestreamConfig.builder().isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", store.root().toString())
                .flag("embed.service.group-id", "rollout-" + UUID.randomUUID())
                .flag("embed.service.instance-id", "r-" + UUID.randomUUID().toString().substring(0, 6))
                .flag("embed.service.mode", "complete")
                .build();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        String galleryName = "rollout-" + UUID.randomUUID().toString().substring(0, 8);
        String camera = "rollout-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] photo = Files.readAllBytes(shared.resolve("data/photos/img2.jpeg"));
        String given = "[{\"box\":[40,20,150,170],\"label\":\"person-2\"}]";

        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap);
             FaceEmbedder blueEmbedder = new FaceEmbedder(current, sessions, 8);
             EmbedService service = EmbedService.start(config, bootstrap)) {
            // a gallery served by the current model, with stored crops
            gallery.createGallery(galleryName, GalleryKind.SINGLE, Map.of());
            for (int s = 0; s < 3; s++) {
                byte[] crop = Patterns.jpeg(s, 0);
                gallery.enrol(new Subject(galleryName, "s" + s, "subject " + s, Map.of()));
                float[] raw = blueEmbedder.embed(decode(crop)).raw();
                gallery.addMedium(new Medium(galleryName, "s" + s, "m0", List.of(new Embedding(blue, raw)), List.of(crop), Map.of(),
                        System.currentTimeMillis() * 1000));
            }
            produce(bootstrap, frame(camera, 0, photo, given));
            assertEquals(current.manifest().version(), observations(bootstrap, camera, 1).get(0).getModel().getVersion());

            // what the trainer installs while the service runs: the same weights as a new version keep this test
            // about the roll-out (the gate test uses a truly different model)
            ModelStore.InstalledModel candidate = copy(current, store, current.manifest().version() + "-ft.1");
            ModelVersion green = new ModelVersion(MODEL, candidate.manifest().version());

            // gate and release
            HeldOutFaces heldOut = new HeldOutFaces(heldOutFolder(dir.resolve("held-out")));
            List<String> log = new ArrayList<>();
            GateVerdict verdict = new EvaluationGate(heldOut, null, GatePolicy.defaults(), m -> new FaceEmbedder(m, sessions, 8), log::add)
                    .judge(current, candidate);
            assertTrue(verdict.accepted(), verdict.summary());
            ModelRelease sent = new ModelPublisher(bootstrap).publish(candidate, verdict);
            try {
                ModelRelease read = ReleasedModels.current(bootstrap, MODEL, Duration.ofSeconds(30)).orElseThrow();
                assertEquals(candidate.manifest().version(), read.getVersion());
                assertEquals(ModelStore.sha256(candidate.path("main")), read.getSha256());
                assertEquals(current.manifest().version(), read.getPreviousVersion());
                assertTrue(Files.isRegularFile(Path.of(read.getLocation()).resolve(ModelManifest.FILE_NAME)), read.getLocation());
                assertEquals(verdict.candidate().metrics().get("verification_accuracy"), read.getMetricsMap().get("verification_accuracy"));
                assertEquals(sent, read);

                // the embed service swaps between batches: observations carry the new version
                long deadline = System.currentTimeMillis() + 60_000;
                long seq = 1;
                while (!service.modelId().equals(candidate.manifest().id()) && System.currentTimeMillis() < deadline) {
                    produce(bootstrap, frame(camera, seq++, photo, given));
                    Thread.sleep(300);
                }
                assertEquals(candidate.manifest().id(), service.modelId());
                produce(bootstrap, frame(camera, 999, photo, given));
                List<FaceObservation> obs = observations(bootstrap, camera, -1);
                assertEquals(candidate.manifest().version(), obs.get(obs.size() - 1).getModel().getVersion());

                // blue/green: the gallery stays on the current version until the new one covers every medium
                assertEquals(blue, ServingModel.choose(gallery.reembed().coverage(galleryName), green, blue));
                ReembedReport report;
                try (FaceEmbedder greenEmbedder = new FaceEmbedder(candidate, sessions, 8)) {
                    report = new GalleryReembedder(gallery, System.out::println).reembed(galleryName, greenEmbedder);
                    assertEquals(3, report.embedded(), report.failures().toString());
                    assertTrue(report.complete(), report.toString());
                    ModelVersion serving = ServingModel.choose(gallery.reembed().coverage(galleryName), green, blue);
                    assertEquals(green, serving);
                    // a probe of subject 1 in the new space finds subject 1
                    float[] probe = greenEmbedder.embed(decode(Patterns.jpeg(1, 5))).raw();
                    List<Hit> hits = gallery.search(SearchRequest.of(galleryName, serving, probe, 3)).hits();
                    assertEquals("s1", hits.get(0).subjectId(), hits.toString());
                }
            } finally {
                withdraw(bootstrap);
            }
        }
    }

    /** Removes the test's release from the shared compacted topic, so later tests in this JVM never follow it. */
    private static void withdraw(String bootstrap) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "rollout-withdraw"))) {
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, MODEL, null)).get();
        }
    }

    private static ModelStore.InstalledModel copy(ModelStore.InstalledModel from, ModelStore to, String version) {
        ModelManifest m = from.manifest();
        ModelManifest target = version == null ? m : new ModelManifest(m.name(), version, m.kind(), m.files(), m.input(),
                m.embedding(), m.source(), m.licence(), m.notes());
        Map<String, Path> files = new java.util.HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        return to.install(target, files);
    }

    private static Mat decode(byte[] jpeg) {
        return opencv_imgcodecs.imdecode(new Mat(new BytePointer(jpeg)), opencv_imgcodecs.IMREAD_COLOR);
    }

    private static Path heldOutFolder(Path root) throws Exception {
        for (int id = 10; id < 14; id++) {
            Path d = Files.createDirectories(root.resolve("id" + id));
            for (int s = 0; s < 3; s++) {
                Files.write(d.resolve(s + ".jpg"), Patterns.jpeg(id, s));
            }
        }
        return root;
    }

    private static ProducerRecord<String, byte[]> frame(String camera, long seq, byte[] image, String faces) {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
        h.add(FrameHeaders.FACES, faces.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, image, h);
    }

    private static void produce(String bootstrap, ProducerRecord<String, byte[]> r) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "rollout-frames"))) {
            producer.send(r).get();
        }
    }

    /** Observations of the camera: {@code expected} of them (waiting up to 90 s), or all within 5 s when -1. */
    private static List<FaceObservation> observations(String bootstrap, String camera, int expected) throws Exception {
        List<FaceObservation> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FACES).stream()
                    .map(p -> new TopicPartition(TopicCatalog.FACES, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + (expected < 0 ? 5_000 : 90_000);
            while ((expected < 0 || out.size() < expected) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (camera.equals(r.key())) {
                        out.add(FaceObservation.parseFrom(r.value()));
                    }
                }
            }
        }
        assertTrue(expected < 0 ? !out.isEmpty() : out.size() >= expected, "observations of " + camera + ": " + out.size());
        return out;
    }
}

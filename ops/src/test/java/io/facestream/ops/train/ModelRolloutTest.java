package io.facestream.ops.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.service.EmbedService;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.demo.ApiClient;
import io.facestream.trainer.cycle.Patterns;
import io.facestream.trainer.gate.EvaluationGate;
import io.facestream.trainer.gate.GatePolicy;
import io.facestream.trainer.gate.GateVerdict;
import io.facestream.trainer.gate.HeldOutFaces;
import io.facestream.trainer.release.ModelPublisher;
import io.facestream.trainer.release.ReleasedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole roll-out on a real broker, through the running services: a match service serves a gallery enrolled
 * through its API with the current model; the gate accepts a candidate (the current weights under a new version, so
 * the test stays fast; the gate test uses a truly different model); the release goes to facestream.models; the
 * running embed service swaps to it; the match service re-embeds the gallery's stored crops into the new version by
 * itself; a person seen after the swap is matched under the new version, never against the old vectors; the API's
 * uploads switch to the new version; and a medium written later with the old version only gets the new one too.
 */
@KafkaBroker
class ModelRolloutTest {
    private static final String MODEL = "mobilefacenet";
    private static final String ADMIN = "rollout-admin-key";

    @Test
    void releaseSwapsTheEmbedServiceAndTheMatchServiceReembedsAndMatchesUnderTheNewVersion(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        ModelStore zoo = ModelZoo.defaultStore();
        ModelStore store = new ModelStore(dir.resolve("store"));
        // the zoo's pinned versions, not the newest in the cache: a user's own `train` installs candidates there
        copy(ModelZoo.ensure(zoo, "mtcnn"), store, null);
        ModelStore.InstalledModel current = copy(ModelZoo.ensure(zoo, MODEL), store, null);
        String blue = current.manifest().version();
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);

        String run = UUID.randomUUID().toString().substring(0, 8);
        String galleryName = "rollout-" + run;
        Map<String, Object> o = new HashMap<>();
        o.put("kafka.bootstrap", bootstrap);
        o.put("models.dir", store.root().toString());
        o.put("embed.service.group-id", "rollout-" + run);
        o.put("embed.service.instance-id", "r-" + run);
        o.put("embed.service.mode", "complete");
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", "rollout-match-" + run);
        o.put("match.gallery", galleryName);
        o.put("match.track.idle-close", "1s");
        o.put("match.track.idle-check", "200ms");
        o.put("match.rollout.check-interval", "1s");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
            ConsumerGroups.startAtEnd(bootstrap, config.getString("match.application-id"), TopicCatalog.FACES);
        }
        byte[] photo = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> decisions =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "rollout-verify-" + run))) {
            match.awaitRunning(Duration.ofSeconds(60));
            decisions.subscribe(List.of(TopicCatalog.MATCHES));
            // the gallery, enrolled through the API like an operator would: SAME_A and SAME_B are one person in two
            // photographs
            ApiClient api = new ApiClient(match.apiPort(), ADMIN);
            api.json("POST", "/api/galleries", Map.of("name", galleryName, "kind", "SINGLE"));
            api.upload(
                    "/api/galleries/" + galleryName + "/subjects",
                    Map.of("subject_id", "same"),
                    "image",
                    List.of(photos.portrait(SamplePhotos.Portrait.SAME_A)));
            api.upload(
                    "/api/galleries/" + galleryName + "/subjects",
                    Map.of("subject_id", "other"),
                    "image",
                    List.of(photos.portrait(SamplePhotos.Portrait.OTHER)));
            assertEquals(List.of(coverage(MODEL + ":" + blue, 2, true)), models(api, galleryName));

            // before the release: the person is found under the current version
            Match before = finalDecision(decisions, walkPast(bootstrap, "before-" + run, photo));
            assertEquals(blue, before.model().version());
            assertEquals(Match.Decision.HIT, before.decision(), before.toString());
            assertEquals("same", before.best().subjectId());

            // what the trainer installs while the services run, then gate and release
            ModelStore.InstalledModel candidate = copy(current, store, blue + "-ft.1");
            String green = candidate.manifest().version();
            HeldOutFaces heldOut = new HeldOutFaces(heldOutFolder(dir.resolve("held-out")));
            List<String> log = new ArrayList<>();
            GateVerdict verdict = new EvaluationGate(
                            heldOut, null, GatePolicy.defaults(), m -> new FaceEmbedder(m, sessions, 8), log::add)
                    .judge(current, candidate);
            assertTrue(verdict.accepted(), verdict.summary());
            ModelRelease sent = new ModelPublisher(bootstrap).publish(candidate, verdict);
            try {
                ModelRelease read = ReleasedModels.current(bootstrap, MODEL, Duration.ofSeconds(30))
                        .orElseThrow();
                assertEquals(green, read.getVersion());
                assertEquals(ModelStore.sha256(candidate.path("main")), read.getSha256());
                assertEquals(1, read.getFilesCount(), "every file of the candidate is listed with its hash");
                assertEquals(
                        ModelStore.sha256(candidate.path("main")),
                        read.getFiles(0).getSha256());
                assertFalse(read.getAllowDowngrade());
                assertEquals(blue, read.getPreviousVersion());
                assertTrue(
                        Files.isRegularFile(Path.of(read.getLocation()).resolve(ModelManifest.FILE_NAME)),
                        read.getLocation());
                assertEquals(
                        verdict.candidate().metrics().get("verification_accuracy"),
                        read.getMetricsMap().get("verification_accuracy"));
                assertEquals(sent, read);

                // the embed service swaps between batches
                long deadline = System.currentTimeMillis() + 60_000;
                while (!embed.modelId().equals(candidate.manifest().id()) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(candidate.manifest().id(), embed.modelId());

                // the match service re-embedded the gallery's stored crops into the new version on its own
                Map<String, Object> greenCoverage = coverage(MODEL + ":" + green, 2, true);
                while (!models(api, galleryName).contains(greenCoverage) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(List.of(coverage(MODEL + ":" + blue, 2, true), greenCoverage), models(api, galleryName));

                // after the swap: the same person is found under the new version
                Match after = finalDecision(decisions, walkPast(bootstrap, "after-" + run, photo));
                assertEquals(green, after.model().version());
                assertEquals(Match.Decision.HIT, after.decision(), after.toString());
                assertEquals("same", after.best().subjectId());
                // same weights; the gallery side was re-embedded from the stored JPEG crop, hence not bit-equal
                assertEquals(before.best().score(), after.best().score(), 0.05, "same weights, about the same score");

                // the API's uploads now use the new version too
                JsonNode search = api.upload(
                        "/api/search",
                        Map.of("gallery", galleryName),
                        "image",
                        List.of(photos.portrait(SamplePhotos.Portrait.SAME_B)));
                assertEquals(MODEL + ":" + green, search.get("model").asText());
                assertEquals(
                        "same",
                        search.get("results")
                                .get(0)
                                .get("candidates")
                                .get(0)
                                .get("subject_id")
                                .asText());

                // a medium written with the old version only (another instance, a tool) gets the new version too
                try (Gallery writer = Gallery.open(GallerySettings.at(dir.resolve("writer-replica")), bootstrap);
                        FaceEmbedder blueEmbedder = new FaceEmbedder(current, sessions, 8)) {
                    byte[] crop = Patterns.jpeg(3, 0);
                    Mat image =
                            opencv_imgcodecs.imdecode(new Mat(new BytePointer(crop)), opencv_imgcodecs.IMREAD_COLOR);
                    float[] raw = blueEmbedder.embed(image).raw();
                    image.close();
                    writer.enrol(new Subject(galleryName, "late", "late", Map.of()));
                    writer.addMedium(new Medium(
                            galleryName,
                            "late",
                            "m0",
                            List.of(new Embedding(new ModelVersion(MODEL, blue), raw)),
                            List.of(crop),
                            Map.of(),
                            System.currentTimeMillis() * 1000));
                }
                Map<String, Object> greenTopUp = coverage(MODEL + ":" + green, 3, true);
                while (!models(api, galleryName).contains(greenTopUp)
                        && System.currentTimeMillis() < deadline + 30_000) {
                    Thread.sleep(200);
                }
                assertTrue(
                        models(api, galleryName).contains(greenTopUp),
                        models(api, galleryName).toString());
            } finally {
                withdraw(bootstrap);
            }
        }
    }

    private static Map<String, Object> coverage(String model, int media, boolean complete) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("embedded", media);
        m.put("media", media);
        m.put("complete", complete);
        return m;
    }

    /** The gallery's vectors per model version, as GET /api/galleries reports them. */
    private static List<Map<String, Object>> models(ApiClient api, String gallery) {
        for (JsonNode g : api.json("GET", "/api/galleries", null)) {
            if (g.get("name").asText().equals(gallery)) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (JsonNode m : g.get("models")) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("model", m.get("model").asText());
                    c.put("embedded", m.get("embedded").asInt());
                    c.put("media", m.get("media").asInt());
                    c.put("complete", m.get("complete").asBoolean());
                    out.add(c);
                }
                return out;
            }
        }
        throw new AssertionError("gallery " + gallery + " not listed");
    }

    /** Four frames of the photo on a new camera: one track, closed a second after the last frame. */
    private static String walkPast(String bootstrap, String camera, byte[] photo) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "rollout-frames"))) {
            long t0 = System.currentTimeMillis() * 1000;
            for (int seq = 0; seq < 4; seq++) {
                RecordHeaders h = new RecordHeaders();
                h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
                h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(t0 + seq * 200_000L));
                producer.send(new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, photo, h))
                        .get();
            }
        }
        return camera;
    }

    private static Match finalDecision(KafkaConsumer<String, byte[]> consumer, String camera) {
        long deadline = System.currentTimeMillis() + 120_000;
        List<Match> seen = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (camera.equals(r.key())) {
                    Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                    seen.add(m);
                    if (m.stage() == Match.Stage.FINAL) {
                        return m;
                    }
                }
            }
        }
        throw new AssertionError("no FINAL decision for camera " + camera + " within 120 s; saw " + seen);
    }

    /** Removes the test's release from the shared compacted topic, so later tests in this JVM never follow it. */
    private static void withdraw(String bootstrap) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "rollout-withdraw"))) {
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, MODEL, null))
                    .get();
        }
    }

    private static ModelStore.InstalledModel copy(ModelStore.InstalledModel from, ModelStore to, String version) {
        ModelManifest m = from.manifest();
        ModelManifest target = version == null
                ? m
                : new ModelManifest(
                        m.name(),
                        version,
                        m.kind(),
                        m.files(),
                        m.input(),
                        m.embedding(),
                        m.source(),
                        m.licence(),
                        m.notes());
        Map<String, Path> files = new java.util.HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        return to.install(target, files);
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
}

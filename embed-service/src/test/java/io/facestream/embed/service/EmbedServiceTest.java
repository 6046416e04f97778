package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frames → faces service on the real broker with the real default models. */
@KafkaBroker
class EmbedServiceTest {
    private static SamplePhotos photos;

    @BeforeAll
    static void samplePhotos() {
        photos = SamplePhotos.fetch();
    }

    @Test
    void corruptFramesGoToTheDlqWithReasonsAndGoodFramesAroundThemAreProcessed(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String camera = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = config(bootstrap, ModelZoo.defaultStore().root());
        byte[] face = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A));
        byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(photos.group("sample3.jpg")), 20_000);
        List<ProducerRecord<String, byte[]>> frames = List.of(
                frame(camera, 0, face, null),
                frame(
                        camera,
                        1,
                        new Random(7)
                                .ints(4000, 0, 256)
                                .collect(
                                        ByteArrayOutputStream::new,
                                        ByteArrayOutputStream::write,
                                        (a, b) -> a.writeBytes(b.toByteArray()))
                                .toByteArray(),
                        null),
                frame(camera, 2, truncated, null),
                frame(camera, 3, tinyJpeg(), null),
                frame(camera, 4, pngClaiming(20_000, 20_000), null),
                frame(camera, 5, face, "{not json"),
                withHeader(frame(camera, 6, face, null), FrameHeaders.CAPTURE_TS, "yesterday"),
                frame(camera, 7, face, null));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        produce(bootstrap, frames);
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            List<ConsumerRecord<String, byte[]>> dead =
                    read(bootstrap, TopicCatalog.DLQ, r -> camera.equals(r.key()), 6);
            List<FaceObservation> faces = observations(bootstrap, camera, 2);

            Map<Long, String> reasons = new HashMap<>();
            for (ConsumerRecord<String, byte[]> d : dead) {
                long offset = Long.parseLong(header(d, DeadLetter.SOURCE_OFFSET));
                reasons.put(offset, header(d, DeadLetter.REASON));
                assertEquals("embed", header(d, DeadLetter.STAGE));
                assertEquals(TopicCatalog.FRAMES, header(d, DeadLetter.SOURCE_TOPIC));
            }
            assertEquals(6, reasons.size(), "one dead letter per bad frame: " + reasons);
            List<String> all = new ArrayList<>(reasons.values());
            assertTrue(all.stream().anyMatch(r -> r.contains("not a JPEG or PNG")), all.toString());
            assertTrue(all.stream().anyMatch(r -> r.contains("20000")), "pixel-limit refusal names the size: " + all);
            assertTrue(all.stream().anyMatch(r -> r.contains("fs.faces")), all.toString());
            assertTrue(all.stream().anyMatch(r -> r.contains("fs.capture-ts")), all.toString());
            assertTrue(all.stream().anyMatch(r -> r.contains("1x1")), "1x1 frame refused: " + all);

            assertEquals(
                    List.of(0L, 7L),
                    faces.stream()
                            .map(FaceObservation::getFrameSeq)
                            .distinct()
                            .sorted()
                            .toList());
            FaceObservation first = faces.get(0);
            assertEquals(192, first.getEmbeddingCount());
            assertTrue(first.getNorm() > 0 && first.getAlignedCropJpeg().size() > 500);
            assertEquals(5, first.getLandmarksCount());
            assertFalse(first.getModel().getVersion().isEmpty());
            assertEquals(6, service.totals().deadLetters());
        }
    }

    @Test
    void givenFacesAreEmbeddedWithTheirLabelsAndAModelReleaseIsSwappedInBetweenBatches(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String camera = "given-" + UUID.randomUUID().toString().substring(0, 8);
        // a private store, so the released test version never becomes the user's newest model
        ModelStore cache = ModelZoo.defaultStore();
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelStore.InstalledModel embedder = ModelZoo.ensure(cache, "mobilefacenet");
        copy(ModelZoo.ensure(cache, "mtcnn"), store, null);
        copy(embedder, store, null);
        String nextVersion = embedder.manifest().version() + ".1";
        Path releaseDir = dir.resolve("release");
        copy(embedder, new ModelStore(releaseDir), nextVersion);

        FacestreamConfig config = config(bootstrap, store.root());
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        byte[] face = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        String given = "[{\"box\":[40,20,150,170],\"label\":\"person-2\"}]";
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            produce(bootstrap, List.of(frame(camera, 0, face, given)));
            FaceObservation before = observations(bootstrap, camera, 1).get(0);
            assertEquals("person-2", before.getGivenLabel());
            assertEquals("given", before.getDetector());
            assertEquals(40f, before.getBox().getX());
            assertEquals(embedder.manifest().version(), before.getModel().getVersion());

            try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "release-test"))) {
                ModelRelease release = ModelRelease.newBuilder()
                        .setName("mobilefacenet")
                        .setVersion(nextVersion)
                        .setLocation(releaseDir
                                .resolve("mobilefacenet")
                                .resolve(nextVersion)
                                .toString())
                        .setSha256(embedder.manifest().file("main").sha256())
                        .build();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, "mobilefacenet", release.toByteArray()))
                        .get();
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (!service.modelId().endsWith("@" + nextVersion) && System.currentTimeMillis() < deadline) {
                produce(bootstrap, List.of(frame(camera, 1, face, given)));
                Thread.sleep(500);
            }
            assertEquals("mobilefacenet@" + nextVersion, service.modelId());
            produce(bootstrap, List.of(frame(camera, 99, face, given)));
            FaceObservation after = observations(bootstrap, camera, -1).stream()
                    .filter(o -> o.getFrameSeq() == 99)
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    nextVersion, after.getModel().getVersion(), "every observation names the model that produced it");
            assertTrue(
                    Files.isRegularFile(store.root()
                            .resolve("mobilefacenet")
                            .resolve(nextVersion)
                            .resolve(ModelManifest.FILE_NAME)),
                    "the release was installed into the local store from its location");
        }
    }

    @Test
    void framesWithoutFacesAndSilenceAreReportedAfterTheCamerasFaces(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String camera = "progress-" + UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = config(bootstrap, ModelZoo.defaultStore().root())
                .with(Map.of(
                        "embed.service.progress.frame-interval", "0s",
                        "embed.service.progress.silence-interval", "500ms",
                        "embed.service.progress.silence-max", "1500ms"));
        byte[] image = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        String given = "[{\"box\":[40,20,150,170],\"label\":\"person-2\"}]";
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        long t0 = System.currentTimeMillis() * 1000;
        List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
        for (int seq = 0; seq < 4; seq++) {
            ProducerRecord<String, byte[]> f = withHeader(
                    frame(camera, seq, image, seq == 0 ? given : "[]"),
                    FrameHeaders.CAPTURE_TS,
                    Long.toString(t0 + seq * 100_000L));
            frames.add(f);
        }
        produce(bootstrap, frames);
        List<FaceObservation> records = new ArrayList<>();
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            // one face, 3 frames without faces, then silence at 0.5, 1.0 and 1.5 s (silence-max): 7 records
            for (ConsumerRecord<String, byte[]> r :
                    read(bootstrap, TopicCatalog.FACES, r -> camera.equals(r.key()), 7)) {
                records.add(FaceObservation.parseFrom(r.value()));
            }
            Thread.sleep(1500);
            assertEquals(
                    7,
                    read(bootstrap, TopicCatalog.FACES, r -> camera.equals(r.key()), -1)
                            .size(),
                    "no silence report past silence-max");
            FaceObservation face = records.get(0);
            assertFalse(face.hasProgress());
            assertTrue(face.getReportsProgress(), "faces say their service reports progress");
            assertEquals("person-2", face.getGivenLabel());
            for (int i = 1; i <= 3; i++) {
                FaceObservation p = records.get(i);
                assertTrue(p.hasProgress() && p.getProgress().getSilentMs() == 0, "frame without faces: " + p);
                assertEquals(i, p.getFrameSeq());
                assertEquals(t0 + i * 100_000L, p.getCaptureTsUs());
                assertFalse(p.hasBox());
            }
            long previous = 0;
            for (int i = 4; i < 7; i++) {
                FaceObservation p = records.get(i);
                assertTrue(p.hasProgress(), p.toString());
                assertEquals(3, p.getFrameSeq(), "silence names the camera's last frame");
                assertEquals(t0 + 300_000L, p.getCaptureTsUs());
                long silent = p.getProgress().getSilentMs();
                assertTrue(silent >= 500L * (i - 3) && silent > previous, "silence reports grow: " + records);
                previous = silent;
            }
            assertTrue(previous >= 1500, "the last report reaches silence-max");
        }
    }

    // ---- helpers ----

    static FacestreamConfig config(String bootstrap, Path models) {
        return FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", models.toString())
                .flag("embed.service.group-id", "embed-test-" + UUID.randomUUID())
                .flag(
                        "embed.service.instance-id",
                        "t-" + UUID.randomUUID().toString().substring(0, 6))
                .flag("embed.service.mode", "complete")
                .flag("embed.service.keep-rejected", true)
                .build();
    }

    static ProducerRecord<String, byte[]> frame(String camera, long seq, byte[] image, String faces) {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
        if (faces != null) {
            h.add(FrameHeaders.FACES, faces.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, image, h);
    }

    static ProducerRecord<String, byte[]> withHeader(ProducerRecord<String, byte[]> r, String name, String value) {
        r.headers().remove(name);
        r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    static void produce(String bootstrap, List<ProducerRecord<String, byte[]>> records) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "frames-test"))) {
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r).get();
            }
        }
    }

    static List<ConsumerRecord<String, byte[]>> read(
            String bootstrap, String topic, Predicate<ConsumerRecord<String, byte[]>> keep, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + (expected < 0 ? 5_000 : 90_000);
            while ((expected < 0 || out.size() < expected) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (keep.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        if (expected >= 0) {
            assertEquals(expected, out.size(), "records on " + topic);
        }
        return out;
    }

    static List<FaceObservation> observations(String bootstrap, String camera, int expected) throws Exception {
        List<FaceObservation> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r :
                read(bootstrap, TopicCatalog.FACES, r -> camera.equals(r.key()) && !progress(r), expected)) {
            out.add(FaceObservation.parseFrom(r.value()));
        }
        return out;
    }

    /** A progress record of the embed service (no face). */
    static boolean progress(ConsumerRecord<String, byte[]> r) {
        try {
            return FaceObservation.parseFrom(r.value()).hasProgress();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

    static String header(ConsumerRecord<?, ?> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static byte[] tinyJpeg() {
        try (var mat = new org.bytedeco.opencv.opencv_core.Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
                var buf = new org.bytedeco.javacpp.BytePointer()) {
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", mat, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** A PNG signature and an IHDR chunk claiming a huge image, followed by nothing useful: a decompression-bomb probe. */
    static byte[] pngClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        b.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt(0xAE426082);
        return b.array();
    }

    static void copy(ModelStore.InstalledModel from, ModelStore to, String newVersion) {
        ModelManifest m = from.manifest();
        ModelManifest target = newVersion == null
                ? m
                : new ModelManifest(
                        m.name(),
                        newVersion,
                        m.kind(),
                        m.files(),
                        m.input(),
                        m.embedding(),
                        m.source(),
                        m.licence(),
                        m.notes());
        Map<String, Path> files = new HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        to.install(target, files);
    }
}

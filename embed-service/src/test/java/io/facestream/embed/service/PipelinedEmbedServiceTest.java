package io.facestream.embed.service;

import static io.facestream.embed.service.EmbedServiceTest.config;
import static io.facestream.embed.service.EmbedServiceTest.frame;
import static io.facestream.embed.service.EmbedServiceTest.produce;
import static io.facestream.embed.service.EmbedServiceTest.progress;
import static io.facestream.embed.service.EmbedServiceTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The embed service with its frames searched on two detect workers ({@code embed.service.detect-threads}): faces in
 * the poll's order, each camera's in its frames' order, exactly once through aborted transactions, and face for face
 * what one worker finds.
 */
@KafkaBroker
class PipelinedEmbedServiceTest {
    private static final String GIVEN = "[{\"box\":[40,20,150,170],\"label\":\"p\"}]";

    @Test
    void anAbortedBatchIsReadAgainAndEveryFrameComesOutOnceInItsCamerasOrder(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> cameras = List.of("pa-" + run, "pb-" + run, "pc-" + run, "pd-" + run);
        int perCamera = 8;
        // small batches, so that a poll holds several and an aborted one leaves the rest of its poll unread
        FacestreamConfig config = config(bootstrap, ModelZoo.defaultStore().root())
                .with(Map.of("embed.service.detect-threads", 2, "face.batch-size", 3));
        byte[] image = Files.readAllBytes(SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_B));
        ConfigResource faces = new ConfigResource(ConfigResource.Type.TOPIC, TopicCatalog.FACES);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
            String kept = admin.describeConfigs(List.of(faces))
                    .all()
                    .get()
                    .get(faces)
                    .get("max.message.bytes")
                    .value();
            // the broker refuses every face record (an embedding and a crop are several kB): each batch's transaction
            // fails and is aborted; the transaction markers (under 100 bytes) still fit
            setMaxMessageBytes(admin, faces, "1000");
            List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
            for (int seq = 0; seq < perCamera; seq++) {
                for (String camera : cameras) {
                    frames.add(frame(camera, seq, image, GIVEN));
                }
            }
            produce(bootstrap, frames);
            try (EmbedService service = EmbedService.start(config, bootstrap)) {
                try {
                    awaitDown(service);
                } finally {
                    setMaxMessageBytes(admin, faces, kept); // the broker is shared with the other tests
                }

                List<ConsumerRecord<String, byte[]>> records = read(
                        bootstrap,
                        TopicCatalog.FACES,
                        r -> cameras.contains(r.key()) && !progress(r),
                        cameras.size() * perCamera);
                List<FaceObservation> out = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : records) {
                    out.add(FaceObservation.parseFrom(r.value()));
                }
                Map<String, List<Long>> seqs = new TreeMap<>();
                for (FaceObservation o : out) {
                    seqs.computeIfAbsent(o.getCameraId(), c -> new ArrayList<>())
                            .add(o.getFrameSeq());
                }
                List<Long> expected = new ArrayList<>();
                for (long s = 0; s < perCamera; s++) {
                    expected.add(s);
                }
                for (String camera : cameras) {
                    assertEquals(expected, seqs.get(camera), "camera " + camera + ": each frame once, in order");
                }
                assertFramesInPollOrder(records);
                assertTrue(
                        service.totals().faces() > out.size(),
                        "the faces of the aborted batches were embedded again: " + service.totals());
            }
        }
    }

    /**
     * Two detect workers find, with the real MTCNN, exactly the faces one worker finds in the same frames: same frames,
     * same boxes, same landmarks, embeddings equal but for float rounding.
     */
    @Test
    void twoDetectThreadsFindTheFacesOneFinds(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        List<byte[]> images = new ArrayList<>();
        for (String g : List.of("sample1.jpg", "sample3.jpg", "sample6.jpg")) {
            images.add(Files.readAllBytes(photos.group(g)));
        }
        images.add(Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.OTHER)));
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, List<FaceObservation>> one = faces(bootstrap, "one-" + run, 1, images);
        Map<String, List<FaceObservation>> two = faces(bootstrap, "two-" + run, 2, images);
        assertEquals(one.keySet(), two.keySet());
        int compared = 0;
        for (String key : one.keySet()) {
            List<FaceObservation> a = one.get(key);
            List<FaceObservation> b = two.get(key);
            assertEquals(a.size(), b.size(), "faces of " + key);
            for (int i = 0; i < a.size(); i++) {
                FaceObservation x = a.get(i), y = b.get(i);
                assertEquals(x.getFrameSeq(), y.getFrameSeq());
                assertEquals(x.getBox(), y.getBox(), key + " face " + i);
                assertEquals(x.getLandmarksList(), y.getLandmarksList(), key + " face " + i);
                assertEquals(x.getDetector(), y.getDetector());
                double dot = 0;
                for (int d = 0; d < x.getEmbeddingCount(); d++) {
                    dot += x.getEmbedding(d) * y.getEmbedding(d);
                }
                double cos = dot / (x.getNorm() * y.getNorm());
                assertTrue(cos > 0.9999, key + " face " + i + ": cosine " + cos);
                compared++;
            }
        }
        assertTrue(compared >= 12, "the group photos hold several faces each: " + compared);
    }

    /** 3 cameras × 4 frames of {@code images} (in a different order per camera), embedded with {@code threads} workers. */
    private static Map<String, List<FaceObservation>> faces(
            String bootstrap, String prefix, int threads, List<byte[]> images) throws Exception {
        FacestreamConfig config =
                config(bootstrap, ModelZoo.defaultStore().root()).with(Map.of("embed.service.detect-threads", threads));
        List<String> cameras = List.of(prefix + "-0", prefix + "-1", prefix + "-2");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
        for (int seq = 0; seq < images.size(); seq++) {
            for (int c = 0; c < cameras.size(); c++) {
                frames.add(frame(cameras.get(c), seq, images.get((seq + c) % images.size()), null));
            }
        }
        produce(bootstrap, frames);
        Map<String, List<FaceObservation>> out = new TreeMap<>();
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            // a frame without faces gives a progress record: every frame is answered by one record at least
            Map<String, Long> answered = new HashMap<>();
            long deadline = System.currentTimeMillis() + 180_000;
            List<ConsumerRecord<String, byte[]>> records = List.of();
            while (System.currentTimeMillis() < deadline
                    && answered.values().stream().mapToLong(Long::longValue).sum() < frames.size()) {
                Thread.sleep(500);
                records = read(bootstrap, TopicCatalog.FACES, r -> cameras.contains(r.key()), -1);
                answered.clear();
                for (ConsumerRecord<String, byte[]> r : records) {
                    FaceObservation o = FaceObservation.parseFrom(r.value());
                    if (!o.hasProgress() || o.getProgress().getSilentMs() == 0) {
                        answered.merge(o.getCameraId() + "/" + o.getFrameSeq(), 1L, (x, y) -> 1L);
                    }
                }
            }
            assertEquals(frames.size(), answered.size(), "every frame answered with " + threads + " thread(s)");
            for (ConsumerRecord<String, byte[]> r : records) {
                FaceObservation o = FaceObservation.parseFrom(r.value());
                if (!o.hasProgress()) {
                    String camera = o.getCameraId().substring(prefix.length());
                    out.computeIfAbsent(camera + "/" + o.getFrameSeq(), k -> new ArrayList<>())
                            .add(o);
                }
            }
        }
        return out;
    }

    /** Within a faces partition, the faces from one frames partition follow its offsets: the poll's order is kept. */
    private static void assertFramesInPollOrder(Collection<ConsumerRecord<String, byte[]>> records) throws Exception {
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            FaceObservation o = FaceObservation.parseFrom(r.value());
            String key = r.partition() + "<-" + o.getFramePartition();
            long before = last.getOrDefault(key, -1L);
            assertTrue(
                    o.getFrameOffset() > before,
                    "faces partition " + r.partition() + ": frame offset " + o.getFrameOffset() + " after " + before
                            + " of frames partition " + o.getFramePartition());
            last.put(key, o.getFrameOffset());
        }
    }

    private static void awaitDown(EmbedService service) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (service.health().status() != Health.Status.DOWN && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(Health.Status.DOWN, service.health().status(), "a batch transaction failed: " + service.health());
    }

    private static void setMaxMessageBytes(Admin admin, ConfigResource topic, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(
                        topic,
                        List.of(new AlterConfigOp(
                                new ConfigEntry("max.message.bytes", value), AlterConfigOp.OpType.SET))))
                .all()
                .get();
        Thread.sleep(Duration.ofMillis(200)); // the broker applies topic configs asynchronously
    }
}

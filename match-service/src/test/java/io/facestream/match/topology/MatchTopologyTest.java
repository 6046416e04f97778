package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.ModelRef;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.search.SearchTuning;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.gallery.IndexedGallery;
import io.facestream.match.gallery.ThresholdMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The whole matching topology on a real broker and a real Lucene gallery: an enrolled person comes out HIT
 * (provisional, then final), a stranger comes out UNKNOWN, and broken records in the middle of the person's track
 * (not protobuf, NaN feature, feature of another length, tombstone, key that is no camera id) go to the DLQ with their
 * reasons while the track goes on.
 */
@KafkaBroker
class MatchTopologyTest {
    /**
     * Capture times near now: decisions carry them as record timestamps, and the broker's retention (30 days on
     * facestream.matches) would delete records stamped long ago while a long test JVM runs.
     */
    private static final long T0_US = System.currentTimeMillis() * 1000;

    private static final ModelVersion MODEL = new ModelVersion("test", "1");

    private static float[] direction(int axis, float norm, long seed, double noise) {
        Random r = new Random(seed);
        float[] v = new float[16];
        v[axis] = 1;
        double sq = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (noise * r.nextGaussian());
            sq += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / Math.sqrt(sq) * norm);
        }
        return v;
    }

    private static FaceObservation face(String camera, long frame, float x, float[] feature) {
        FaceObservation.Builder b = FaceObservation.newBuilder()
                .setCameraId(camera)
                .setFrameSeq(frame)
                .setCaptureTsUs(T0_US + frame * 40_000L)
                .setBox(Box.newBuilder().setX(x).setY(100).setWidth(60).setHeight(60))
                .setModel(ModelRef.newBuilder().setName(MODEL.name()).setVersion(MODEL.version()))
                .setDetector("given");
        double sq = 0;
        for (float f : feature) {
            b.addEmbedding(f);
            sq += f * f;
        }
        return b.setNorm((float) Math.sqrt(sq)).build();
    }

    @Test
    void enrolledPersonIsHitStrangerIsUnknownAndGarbageIsDeadLettered(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "cam-" + run;
        String gallery = "watch-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir = Path.of("target", "topology-test", run);
        try (GalleryIndex index = GalleryIndex.open(dir.resolve("gallery"), HnswSettings.defaults(), 16)) {
            index.apply(new GalleryChange.DefineGallery(new GalleryDefinition(
                    gallery,
                    GalleryKind.SINGLE,
                    ThresholdMetadata.write(Map.of(), MODEL.toString(), OpenSetThreshold.manual(0.5)))));
            for (String[] who : new String[][] {{"alice", "0"}, {"bob", "1"}}) {
                index.apply(new GalleryChange.PutSubject(new Subject(gallery, who[0], who[0], Map.of())));
                index.apply(new GalleryChange.PutMedium(new Medium(
                        gallery,
                        who[0],
                        "still-1",
                        List.of(new Embedding(MODEL, direction(Integer.parseInt(who[1]), 20, 1, 0))),
                        List.of(),
                        Map.of(),
                        0)));
            }
            index.commit(0);

            Map<String, Object> overrides = new HashMap<>();
            overrides.put("match.gallery", gallery);
            overrides.put("match.application-id", "match-test-" + run);
            overrides.put(
                    "match.state-dir", dir.resolve("streams").toAbsolutePath().toString());
            overrides.put("match.track.idle-close", "1s");
            overrides.put("match.track.idle-check", "200ms");
            FacestreamConfig config =
                    FacestreamConfig.builder().isolated().build().with(overrides);

            try (MatchStreams streams = MatchStreams.start(
                            config, bootstrap, new IndexedGallery(index, SearchTuning.defaults(), 0.4));
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(KafkaClients.producer(bootstrap, "test-" + run))) {
                String badKey = camera + " (door)";
                for (int f = 0; f < 6; f++) {
                    // alice walks on the left, a stranger (axis 7, not enrolled) on the right, same frames
                    producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            camera,
                            face(camera, f, 100 + 4 * f, direction(0, 20, 100 + f, 0.15))
                                    .toByteArray()));
                    producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            camera,
                            face(camera, f, 500 - 4 * f, direction(7, 18, 200 + f, 0.15))
                                    .toByteArray()));
                    if (f == 2) {
                        // poison in the middle of alice's track, where she is: none of it may join or stop it
                        float[] nan = direction(0, 20, 999, 0.15);
                        nan[0] = Float.NaN;
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.FACES,
                                camera,
                                face(camera, f, 100 + 4 * f, nan).toByteArray()));
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.FACES,
                                camera,
                                face(camera, f, 100 + 4 * f, new float[] {20, 0, 0, 0, 0, 0, 0, 0})
                                        .toByteArray()));
                        producer.send(new ProducerRecord<>(TopicCatalog.FACES, camera, (byte[]) null));
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.FACES,
                                badKey,
                                face(badKey, f, 100 + 4 * f, direction(0, 20, 998, 0.15))
                                        .toByteArray()));
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.FACES, camera, "not protobuf".getBytes(StandardCharsets.UTF_8)));
                    }
                }
                producer.flush();

                Map<String, Match> byId = new HashMap<>();
                List<ConsumerRecord<String, byte[]>> dead = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                try (KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "verify-" + run))) {
                    consumer.subscribe(List.of(TopicCatalog.MATCHES, TopicCatalog.DLQ));
                    while ((byId.size() < 4 || dead.size() < 5) && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            if (!camera.equals(r.key()) && !badKey.equals(r.key())) {
                                continue;
                            }
                            if (r.topic().equals(TopicCatalog.DLQ)) {
                                dead.add(r);
                            } else {
                                Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                                assertEquals(null, byId.put(m.matchId(), m), "duplicate " + m.matchId());
                            }
                        }
                    }
                }
                assertEquals(4, byId.size(), "got " + byId.keySet());
                Match aliceFinal = byId.get(camera + "/1/FINAL");
                Match strangerFinal = byId.get(camera + "/2/FINAL");
                assertNotNull(aliceFinal, byId.keySet().toString());
                assertEquals(Match.Decision.HIT, aliceFinal.decision());
                assertEquals("alice", aliceFinal.best().subjectId());
                assertEquals("alice/still-1", aliceFinal.best().mediaId());
                assertEquals(6, aliceFinal.faces());
                assertEquals(0.5, aliceFinal.threshold());
                assertEquals(gallery, aliceFinal.gallery());
                assertTrue(aliceFinal.bestFace().startsWith("faces/"), aliceFinal.bestFace());
                assertEquals(
                        Match.Decision.HIT, byId.get(camera + "/1/PROVISIONAL").decision());
                assertEquals(3, byId.get(camera + "/1/PROVISIONAL").faces());
                assertEquals(Match.Decision.UNKNOWN, strangerFinal.decision());
                assertTrue(strangerFinal.best().score() < 0.5);
                assertEquals(
                        Match.Decision.UNKNOWN,
                        byId.get(camera + "/2/PROVISIONAL").decision());

                assertEquals(5, dead.size(), "dead letters: " + dead);
                Map<String, String> reasons = new HashMap<>();
                for (ConsumerRecord<String, byte[]> d : dead) {
                    String reason =
                            new String(d.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
                    assertEquals(
                            "match-service",
                            new String(d.headers().lastHeader(DeadLetter.STAGE).value(), StandardCharsets.UTF_8));
                    assertEquals(
                            TopicCatalog.FACES,
                            new String(
                                    d.headers()
                                            .lastHeader(DeadLetter.SOURCE_TOPIC)
                                            .value(),
                                    StandardCharsets.UTF_8));
                    assertNotNull(d.headers().lastHeader(DeadLetter.SOURCE_OFFSET));
                    reasons.put(reason, d.value() == null ? null : new String(d.value(), StandardCharsets.UTF_8));
                }
                assertTrue(
                        reasons.containsKey("embedding value 0 of 16 is not finite: NaN"),
                        reasons.keySet().toString());
                assertTrue(
                        reasons.containsKey("embedding has 8 values, but test:1 features have 16 (gallery vectors)"),
                        reasons.keySet().toString());
                assertTrue(
                        reasons.containsKey("value is missing (a tombstone): a face record is a FaceObservation"),
                        reasons.keySet().toString());
                assertTrue(
                        reasons.keySet().stream().anyMatch(r -> r.startsWith("key: invalid camera id")),
                        reasons.keySet().toString());
                String undecodable = reasons.keySet().stream()
                        .filter(r -> r.contains("is not a valid FaceObservation"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(reasons.keySet().toString()));
                assertEquals("not protobuf", reasons.get(undecodable), "a dead letter keeps the original bytes");
            }
        }
    }
}

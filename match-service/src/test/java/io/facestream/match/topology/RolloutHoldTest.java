package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
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
import io.facestream.match.gallery.IndexedGallery;
import io.facestream.match.rollout.Rollouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Blue/green on the topology: the gallery has vectors of model version 1 only, the embed service has already
 * swapped to version 2. Tracks of version 2 are not searched against version-1 vectors (which would be wrong, not
 * just weak): their decisions wait in the held-decisions store, and come out, in order, as soon as the gallery has
 * version-2 vectors. Tracks of version 1 are decided at once meanwhile. A version that never arrives is decided
 * after match.rollout.max-hold.
 */
@KafkaBroker
class RolloutHoldTest {
    private static final ModelVersion BLUE = new ModelVersion("rolltest", "1");
    private static final ModelVersion GREEN = new ModelVersion("rolltest", "2");
    private static final ModelVersion NEVER = new ModelVersion("rolltest", "3");

    /** Unit vector along {@code axis} (16-d), scaled to norm 20. In version 2 the axes are rotated by one. */
    private static float[] along(int axis) {
        float[] v = new float[16];
        v[axis % 16] = 20;
        return v;
    }

    private static FaceObservation face(String camera, long frame, ModelVersion model, float[] feature) {
        FaceObservation.Builder b = FaceObservation.newBuilder()
                .setCameraId(camera)
                .setFrameSeq(frame)
                .setCaptureTsUs(System.currentTimeMillis() * 1000 + frame * 40_000L)
                .setBox(Box.newBuilder()
                        .setX(100 + 4 * frame)
                        .setY(100)
                        .setWidth(60)
                        .setHeight(60))
                .setModel(ModelRef.newBuilder().setName(model.name()).setVersion(model.version()))
                .setDetector("given");
        for (float f : feature) {
            b.addEmbedding(f);
        }
        return b.setNorm(20).build();
    }

    @Test
    void decisionsOfANewVersionWaitForItsVectorsAndOldVersionsFlow(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String gallery = "roll-" + run;
        String blueCam = "blue-" + run;
        String greenCam = "green-" + run;
        String neverCam = "never-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir = Path.of("target", "rollout-hold-test", run);
        try (GalleryIndex index = GalleryIndex.open(dir.resolve("gallery"), HnswSettings.defaults(), 16)) {
            index.apply(new GalleryChange.DefineGallery(new GalleryDefinition(gallery, GalleryKind.SINGLE, Map.of())));
            for (int s = 0; s < 3; s++) {
                index.apply(new GalleryChange.PutSubject(new Subject(gallery, "s" + s, "subject " + s, Map.of())));
                index.apply(new GalleryChange.PutMedium(new Medium(
                        gallery, "s" + s, "m0", List.of(new Embedding(BLUE, along(s))), List.of(), Map.of(), 0)));
            }
            index.finishBatch();

            Map<String, Object> overrides = new HashMap<>();
            overrides.put("match.gallery", gallery);
            overrides.put("match.application-id", "rollout-hold-" + run);
            overrides.put(
                    "match.state-dir", dir.resolve("streams").toAbsolutePath().toString());
            overrides.put("match.track.idle-close", "1s");
            overrides.put("match.track.idle-check", "200ms");
            overrides.put("match.rollout.max-hold", "8s");
            FacestreamConfig config =
                    FacestreamConfig.builder().isolated().build().with(overrides);

            try (MatchStreams streams = MatchStreams.start(
                            config,
                            bootstrap,
                            new IndexedGallery(index, SearchTuning.defaults(), 0.5),
                            Rollouts.over(index));
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(KafkaClients.producer(bootstrap, "hold-" + run));
                    KafkaConsumer<String, byte[]> consumer =
                            new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "hold-verify-" + run))) {
                consumer.subscribe(List.of(TopicCatalog.MATCHES));
                // subject 1 seen by a camera still on version 1, and by one already on version 2 (axes rotated)
                for (int f = 0; f < 4; f++) {
                    producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            blueCam,
                            face(blueCam, f, BLUE, along(1)).toByteArray()));
                    producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            greenCam,
                            face(greenCam, f, GREEN, along(2)).toByteArray()));
                }
                producer.flush();

                List<Match> seen = new ArrayList<>();
                poll(
                        consumer,
                        run,
                        seen,
                        2,
                        Duration.ofSeconds(60),
                        m -> m.cameraId().equals(blueCam));
                Thread.sleep(1500); // well past the green track's idle close: its decisions exist, and wait
                poll(consumer, run, seen, 0, Duration.ofMillis(500), m -> true);
                assertTrue(
                        seen.stream().allMatch(m -> m.cameraId().equals(blueCam)),
                        "green decided before its vectors: " + seen);
                Match blueFinal = seen.stream()
                        .filter(m -> m.stage() == Match.Stage.FINAL)
                        .findFirst()
                        .orElseThrow();
                assertEquals(Match.Decision.HIT, blueFinal.decision());
                assertEquals("s1", blueFinal.best().subjectId());
                assertEquals(BLUE.version(), blueFinal.model().version());

                // re-embedding arrives: version-2 vectors for every medium (the rotated axes)
                for (int s = 0; s < 3; s++) {
                    index.apply(new GalleryChange.PutMedium(new Medium(
                            gallery,
                            "s" + s,
                            "m0",
                            List.of(new Embedding(BLUE, along(s)), new Embedding(GREEN, along(s + 1))),
                            List.of(),
                            Map.of(),
                            0)));
                }
                index.finishBatch();
                List<Match> green = new ArrayList<>();
                poll(
                        consumer,
                        run,
                        green,
                        2,
                        Duration.ofSeconds(30),
                        m -> m.cameraId().equals(greenCam));
                assertEquals(
                        List.of(Match.Stage.PROVISIONAL, Match.Stage.FINAL),
                        green.stream().map(Match::stage).toList(),
                        "held decisions keep their order");
                for (Match m : green) {
                    assertEquals(GREEN.version(), m.model().version());
                    assertEquals(Match.Decision.HIT, m.decision(), m.toString());
                    assertEquals("s1", m.best().subjectId());
                }

                // a version whose vectors never come is decided after max-hold, not kept forever
                long sent = System.currentTimeMillis();
                for (int f = 0; f < 4; f++) {
                    producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            neverCam,
                            face(neverCam, f, NEVER, along(2)).toByteArray()));
                }
                producer.flush();
                List<Match> never = new ArrayList<>();
                poll(
                        consumer,
                        run,
                        never,
                        2,
                        Duration.ofSeconds(60),
                        m -> m.cameraId().equals(neverCam));
                assertTrue(System.currentTimeMillis() - sent >= 8000, "decided before max-hold");
                assertEquals(Match.Decision.UNKNOWN, never.get(1).decision());
                assertTrue(never.get(1).candidates().isEmpty(), never.get(1).toString());
            }
        }
    }

    private static void poll(
            KafkaConsumer<String, byte[]> consumer,
            String run,
            List<Match> into,
            int wanted,
            Duration max,
            java.util.function.Predicate<Match> which) {
        long deadline = System.nanoTime() + max.toNanos();
        int have = (int) into.stream().filter(which).count();
        while ((wanted == 0 || have < wanted) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.key() == null || !r.key().endsWith(run)) {
                    continue;
                }
                Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                into.add(m);
                if (which.test(m)) {
                    have++;
                }
            }
        }
        assertTrue(wanted == 0 || have >= wanted, "wanted " + wanted + " decisions, got " + into);
    }
}

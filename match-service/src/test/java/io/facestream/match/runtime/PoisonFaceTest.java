package io.facestream.match.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.testing.FaceServices;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Reliability" 1: a poison face on a live camera's key. Real broker, real embed and match services, real models:
 * alice is enrolled from one photo (a portrait of the sample photographs) through the API and filmed in frames of
 * another photo of the same woman, taken another day, as camera
 * {@code door-…}. In the middle of her track a copy of one of her real face records with a NaN embedding is written to
 * {@code facestream.faces} under the same key. It must reach {@code facestream.dlq} within 5 s with its reason, and the
 * camera's track must go on: the FINAL decision of the same track is a HIT for alice with every real face in it.
 */
@KafkaBroker
class PoisonFaceTest {
    private static final String KEY = "poison-test-key-0123456789";
    private static final int FRAMES_BEFORE = 3;
    private static final int FRAMES_AFTER = 2;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aNanFaceOnALiveCameraIsDeadLetteredAndTheCamerasHitStillComes(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "door-" + run;
        String gallery = "poison-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .build()
                .with(FaceServices.config("poison", run, dir, KEY, gallery));
        FaceServices.startAtEnd(bootstrap, "poison", run);
        ConsumerGroups.startAtEnd(bootstrap, "poison-verify-" + run, TopicCatalog.MATCHES);
        ConsumerGroups.startAtEnd(bootstrap, "poison-verify-" + run, TopicCatalog.DLQ);

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> verify =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "poison-verify-" + run));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "poison-" + run))) {
            match.awaitRunning(Duration.ofSeconds(60));
            verify.subscribe(List.of(TopicCatalog.MATCHES, TopicCatalog.DLQ));
            String base = "http://127.0.0.1:" + match.apiPort();
            FaceServices.enrol(
                    http,
                    KEY,
                    base,
                    gallery,
                    "alice",
                    null,
                    Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A)));

            // alice in front of the door: her track becomes confident (PROVISIONAL HIT) on its third face
            byte[] img2 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
            long t0Us = System.currentTimeMillis() * 1000;
            FaceServices.sendFrames(producer, camera, img2, 0, FRAMES_BEFORE, t0Us);
            Map<String, Match> decisions = new HashMap<>();
            await(
                    verify,
                    camera,
                    decisions,
                    null,
                    d -> d.containsKey(camera + "/1/PROVISIONAL"),
                    Duration.ofSeconds(90));
            Match provisional = decisions.get(camera + "/1/PROVISIONAL");
            assertEquals(Match.Decision.HIT, provisional.decision(), provisional.toString());

            // the poison: one of her own records, embedding NaN, between her frames 2 and 3
            FaceObservation real = faceRecord(bootstrap, provisional.bestFace());
            FaceObservation.Builder nan = real.toBuilder()
                    .setCaptureTsUs(t0Us + (FRAMES_BEFORE - 1) * 100_000L + 50_000L)
                    .clearEmbedding();
            for (int i = 0; i < real.getEmbeddingCount(); i++) {
                nan.addEmbedding(Float.NaN);
            }
            producer.send(new ProducerRecord<>(
                            TopicCatalog.FACES, camera, nan.build().toByteArray()))
                    .get();
            long poisonSentNs = System.nanoTime();
            FaceServices.sendFrames(
                    producer, camera, img2, FRAMES_BEFORE, FRAMES_AFTER, t0Us + FRAMES_BEFORE * 100_000L);

            ConsumerRecord<String, byte[]>[] dead = deadLetterHolder();
            long[] deadAtNs = {0};
            await(
                    verify,
                    camera,
                    decisions,
                    r -> {
                        dead[0] = r;
                        deadAtNs[0] = System.nanoTime();
                    },
                    d -> dead[0] != null,
                    Duration.ofSeconds(30));
            long toDlqMs = (deadAtNs[0] - poisonSentNs) / 1_000_000;
            System.out.println("NaN face record -> facestream.dlq in " + toDlqMs + " ms");
            assertTrue(toDlqMs <= 5_000, "dead-lettered after " + toDlqMs + " ms");
            assertEquals(
                    "embedding value 0 of " + real.getEmbeddingCount() + " is not finite: NaN",
                    header(dead[0], DeadLetter.REASON));
            assertEquals("match-service", header(dead[0], DeadLetter.STAGE));
            assertEquals(TopicCatalog.FACES, header(dead[0], DeadLetter.SOURCE_TOPIC));
            assertNotNull(header(dead[0], DeadLetter.SOURCE_OFFSET));
            assertEquals(
                    nan.build(),
                    FaceObservation.parseFrom(dead[0].value()),
                    "the dead letter keeps the original record");

            // the camera goes on: the same track closes (idle) as a HIT for alice with all of her real faces
            await(verify, camera, decisions, null, d -> d.containsKey(camera + "/1/FINAL"), Duration.ofSeconds(60));
            Match fin = decisions.get(camera + "/1/FINAL");
            assertEquals(Match.Decision.HIT, fin.decision(), fin.toString());
            assertEquals("alice", fin.best().subjectId());
            assertEquals(FRAMES_BEFORE + FRAMES_AFTER, fin.faces(), fin.toString());
            assertTrue(match.streams().isRunning(), "the topology is still RUNNING");
        }
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<String, byte[]>[] deadLetterHolder() {
        return new ConsumerRecord[1];
    }

    /** Polls matches and dead letters of {@code camera} until {@code done} holds for the decisions seen. */
    private static void await(
            KafkaConsumer<String, byte[]> verify,
            String camera,
            Map<String, Match> decisions,
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> onDeadLetter,
            Predicate<Map<String, Match>> done,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(decisions)) {
            assertTrue(System.nanoTime() < deadline, "timed out; decisions so far: " + decisions.keySet());
            for (ConsumerRecord<String, byte[]> r : verify.poll(Duration.ofMillis(50))) {
                if (!camera.equals(r.key())) {
                    continue;
                }
                if (r.topic().equals(TopicCatalog.DLQ)) {
                    assertNotNull(onDeadLetter, "unexpected dead letter: " + header(r, DeadLetter.REASON));
                    onDeadLetter.accept(r);
                } else {
                    Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                    decisions.put(m.matchId(), m);
                }
            }
        }
    }

    /** The face record a match points at ({@code faces/<partition>/<offset>}). */
    private static FaceObservation faceRecord(String bootstrap, String ref) throws Exception {
        String[] parts = ref.split("/");
        TopicPartition tp = new TopicPartition(TopicCatalog.FACES, Integer.parseInt(parts[1]));
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            c.assign(List.of(tp));
            c.seek(tp, Long.parseLong(parts[2]));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    return FaceObservation.parseFrom(r.value());
                }
            }
        }
        throw new AssertionError("face record " + ref + " not found");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}

package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * privacy.unknown-retention on the running service: an unknown decision's crop leaves the API and its feedback is
 * tombstoned once older than the retention, while a hit's crop and feedback stay.
 */
@KafkaBroker
class UnknownRetentionTest {
    private static final String OPERATOR = "operator-key-0123456789";
    private static final Duration RETENTION = Duration.ofSeconds(5);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<byte[]> call(MatchService s, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.apiPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + OPERATOR)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode get(MatchService s, String path) throws Exception {
        HttpResponse<byte[]> r = call(s, "GET", path, null);
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return Json.mapper().readTree(r.body());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** The latest value per key of the feedback topic (null = tombstone), read from the beginning to its end. */
    private static Map<String, byte[]> feedback(String bootstrap) {
        Map<String, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = c.partitionsFor(TopicCatalog.FEEDBACK).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), r.value());
                }
            }
        }
        return latest;
    }

    @Test
    void anUnknownTracksCropAndFeedbackGoAfterTheRetentionAHitsStay(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir = Path.of("target", "retention-test", run).toAbsolutePath();
        Map<String, Object> o = FaceServices.matchConfig("retention", run, dir, "watch-" + run);
        o.put("api.keys.desk.key", OPERATOR);
        o.put("api.keys.desk.role", "operator");
        o.put("match.rollout.enabled", false);
        o.put("privacy.unknown-retention", RETENTION.toSeconds() + "s");
        String camera = "retention-cam-" + run;
        byte[] hitCrop = {(byte) 0xff, (byte) 0xd8, 1, 2, 3};
        byte[] unknownCrop = {(byte) 0xff, (byte) 0xd8, 4, 5, 6};
        try (MatchService s = MatchService.start(
                        FacestreamConfig.builder().isolated().build().with(o), bootstrap);
                KafkaProducer<String, byte[]> p =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "retention-test-" + run))) {
            // face records with crops but no embedding: the topology refuses them, the API can still serve their crops
            String source = "retention-src-" + run;
            RecordMetadata hitFace = p.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            source,
                            FaceObservation.newBuilder()
                                    .setCameraId(source)
                                    .setAlignedCropJpeg(ByteString.copyFrom(hitCrop))
                                    .build()
                                    .toByteArray()))
                    .get();
            RecordMetadata unknownFace = p.send(new ProducerRecord<>(
                            TopicCatalog.FACES,
                            source,
                            FaceObservation.newBuilder()
                                    .setCameraId(source)
                                    .setAlignedCropJpeg(ByteString.copyFrom(unknownCrop))
                                    .build()
                                    .toByteArray()))
                    .get();
            String hitRef = "faces/" + hitFace.partition() + "/" + hitFace.offset();
            String unknownRef = "faces/" + unknownFace.partition() + "/" + unknownFace.offset();
            long nowUs = System.currentTimeMillis() * 1000;
            Match hit = new Match(
                    camera + "/hit/FINAL",
                    "hit",
                    camera,
                    nowUs - 1_000_000,
                    nowUs,
                    Match.Stage.FINAL,
                    Match.Decision.HIT,
                    0.4,
                    "watch-" + run,
                    new Match.ModelId("mobilefacenet", "1"),
                    List.of(new Match.Candidate("alice", "m1", 0.9)),
                    3,
                    hitRef);
            Match unknown = new Match(
                    camera + "/unk/FINAL",
                    "unk",
                    camera,
                    nowUs - 1_000_000,
                    nowUs,
                    Match.Stage.FINAL,
                    Match.Decision.UNKNOWN,
                    0.4,
                    "watch-" + run,
                    new Match.ModelId("mobilefacenet", "1"),
                    List.of(new Match.Candidate("alice", "m1", 0.1)),
                    3,
                    unknownRef);
            var json = JsonSerde.match().serializer();
            p.send(new ProducerRecord<>(TopicCatalog.MATCHES, camera, json.serialize(TopicCatalog.MATCHES, hit)))
                    .get();
            p.send(new ProducerRecord<>(TopicCatalog.MATCHES, camera, json.serialize(TopicCatalog.MATCHES, unknown)))
                    .get();

            await("both decisions in the feed", () -> {
                try {
                    return get(s, "/api/matches?camera=" + camera).get("total").asInt() == 2;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertArrayEquals(
                    unknownCrop,
                    call(s, "GET", "/api/" + unknownRef + "/crop", null).body(),
                    "within the retention");
            assertEquals(
                    201,
                    call(s, "POST", "/api/feedback", "{\"match_id\":\"" + hit.matchId() + "\",\"verdict\":\"confirm\"}")
                            .statusCode());
            assertEquals(
                    201,
                    call(
                                    s,
                                    "POST",
                                    "/api/feedback",
                                    "{\"match_id\":\"" + unknown.matchId() + "\",\"verdict\":\"reject\"}")
                            .statusCode());
            Map<String, byte[]> given = feedback(bootstrap);
            assertNotNull(given.get(unknown.matchId()), "the unknown's feedback is there at first");

            await("the unknown's crop leaves the API", () -> {
                try {
                    return call(s, "GET", "/api/" + unknownRef + "/crop", null).statusCode() == 404;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(
                    System.currentTimeMillis() * 1000 - nowUs >= RETENTION.toNanos() / 1000,
                    "not before the retention");
            assertArrayEquals(
                    hitCrop, call(s, "GET", "/api/" + hitRef + "/crop", null).body(), "a hit keeps its crop");
            JsonNode unknownTrack = get(s, "/api/tracks/" + camera + "/unk");
            assertTrue(
                    unknownTrack.path("best_face").isMissingNode()
                            || unknownTrack.path("best_face").isNull(),
                    unknownTrack.toString());
            assertTrue(unknownTrack.path("best_face_crop").isMissingNode(), unknownTrack.toString());
            assertEquals(
                    hitRef,
                    get(s, "/api/tracks/" + camera + "/hit").get("best_face").asText());
            JsonNode history = get(s, "/api/matches?camera=" + camera);
            assertEquals(2, history.get("total").asInt(), "the decisions stay, only the unknown's crop goes");
            // this unknown's, and maybe others': the feed replays other tests' recent decisions on a shared broker
            assertTrue(get(s, "/api/status").get("unknown_crops_dropped").asInt() >= 1);

            await("the unknown's feedback is tombstoned", () -> {
                Map<String, byte[]> f = feedback(bootstrap);
                return f.containsKey(unknown.matchId()) && f.get(unknown.matchId()) == null;
            });
            assertNotNull(feedback(bootstrap).get(hit.matchId()), "a confirmed hit's feedback stays");
        }
    }
}

package io.facestream.match.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.testing.FaceServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Reliability" 6, catch-up after an outage. Real broker, real embed (live mode) and match services, real
 * models: alice is enrolled from one photo (a sample portrait). While no embed service runs, a camera films her for
 * 0.6 s (frames of another photo of the same woman); when the embed service comes back a minute later those frames are far older than max-lag, and she is in
 * front of the camera again. Her live track gets its decisions at once, untouched by the past; the outage's frames
 * are embedded by the catch-up pass and give a track of their own whose FINAL decision is a HIT for alice marked
 * late, about a minute late. The API filters on it.
 */
@KafkaBroker
class LateDecisionTest {
    private static final String KEY = "late-test-key-0123456789abc";
    private static final int OUTAGE_FRAMES = 6;
    private static final int LIVE_FRAMES = 5;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theOutagesTrackGetsALateFinalDecisionAndTheLiveTrackIsUntouched(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "gate-" + run;
        String gallery = "late-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, Object> o = FaceServices.config("late", run, dir, KEY, gallery);
        o.put("embed.service.mode", "live");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        FaceServices.startAtEnd(bootstrap, "late", run);
        ConsumerGroups.startAtEnd(bootstrap, "late-embed-" + run + "-catch-up", TopicCatalog.LATE_FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, "late-verify-" + run, TopicCatalog.MATCHES);

        byte[] img2 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        try (MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> verify =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "late-verify-" + run));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "late-" + run))) {
            match.awaitRunning(Duration.ofSeconds(60));
            verify.subscribe(List.of(TopicCatalog.MATCHES));
            String base = "http://127.0.0.1:" + match.apiPort();
            FaceServices.enrol(
                    http,
                    KEY,
                    base,
                    gallery,
                    "alice",
                    null,
                    Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A)));

            // the outage: a minute ago alice passed the camera and no embed service was running
            long outageUs = (System.currentTimeMillis() - 60_000) * 1000;
            FaceServices.sendFrames(producer, camera, img2, 0, OUTAGE_FRAMES, outageUs);

            try (EmbedService embed = EmbedService.start(config, bootstrap)) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (embed.totals().skippedLate() < OUTAGE_FRAMES && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(OUTAGE_FRAMES, embed.totals().skippedLate(), "the live path skips the outage's frames");
                // alice is back in front of the camera, now
                FaceServices.sendFrames(producer, camera, img2, 1000, LIVE_FRAMES, System.currentTimeMillis() * 1000);

                Map<String, Match> decisions = new HashMap<>();
                await(
                        verify,
                        camera,
                        decisions,
                        d -> d.values().stream()
                                        .filter(m -> m.stage() == Match.Stage.FINAL)
                                        .count()
                                >= 2,
                        Duration.ofSeconds(90));
                Thread.sleep(1_500); // anything else (a split track, a second late track) would come by now
                poll(verify, camera, decisions, Duration.ofMillis(500));

                List<Match> late =
                        decisions.values().stream().filter(Match::late).toList();
                List<Match> live =
                        decisions.values().stream().filter(m -> !m.late()).toList();
                assertEquals(1, late.size(), "one late decision: " + decisions.keySet());
                Match past = late.get(0);
                assertEquals(Match.Stage.FINAL, past.stage(), "a late track gets only its FINAL decision");
                assertEquals(Match.Decision.HIT, past.decision(), past.toString());
                assertEquals("alice", past.best().subjectId());
                assertEquals(OUTAGE_FRAMES, past.faces(), "every frame of the outage: " + past);
                assertEquals(outageUs, past.startTsUs());
                assertTrue(
                        past.lateByMs() >= 55_000 && past.lateByMs() < 180_000,
                        "about a minute late: " + past.lateByMs());

                assertEquals(2, live.size(), "the live track: PROVISIONAL and FINAL, one track: " + decisions.keySet());
                assertEquals(1, live.stream().map(Match::trackId).distinct().count(), "the live track is not split");
                for (Match m : live) {
                    assertEquals(Match.Decision.HIT, m.decision(), m.toString());
                    assertEquals(0, m.lateByMs());
                }
                Match liveFinal = live.stream()
                        .filter(m -> m.stage() == Match.Stage.FINAL)
                        .findFirst()
                        .orElseThrow();
                assertEquals(LIVE_FRAMES, liveFinal.faces(), "no face of the past joined the live track: " + liveFinal);
                assertNotEquals(past.trackId(), liveFinal.trackId());
                assertTrue(embed.totals().caughtUp() >= OUTAGE_FRAMES, "caught up: " + embed.totals());
                assertEquals(OUTAGE_FRAMES, embed.totals().skippedLate(), "no live frame was late");

                // the API: late=true / late=false / nonsense
                JsonNode onlyLate = Json.mapper()
                        .readTree(get(base + "/api/matches?camera=" + camera + "&late=true")
                                .body());
                assertEquals(1, onlyLate.get("matches").size(), onlyLate.toString());
                assertTrue(onlyLate.at("/matches/0/late").asBoolean());
                assertTrue(onlyLate.at("/matches/0/late_by_ms").asLong() >= 55_000, onlyLate.toString());
                JsonNode onlyLive = Json.mapper()
                        .readTree(get(base + "/api/matches?camera=" + camera + "&late=false")
                                .body());
                assertEquals(2, onlyLive.get("matches").size(), onlyLive.toString());
                onlyLive.get("matches").forEach(m -> assertFalse(m.get("late").asBoolean(), m.toString()));
                HttpResponse<String> bad = get(base + "/api/matches?late=perhaps");
                assertEquals(400, bad.statusCode());
                assertTrue(bad.body().contains("late = 'perhaps' is not true or false"), bad.body());
                assertTrue(match.streams().isRunning(), "the topology is still RUNNING");
            }
        }
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + KEY)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void await(
            KafkaConsumer<String, byte[]> verify,
            String camera,
            Map<String, Match> decisions,
            Predicate<Map<String, Match>> done,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(decisions)) {
            assertTrue(System.nanoTime() < deadline, "timed out; decisions so far: " + decisions.keySet());
            poll(verify, camera, decisions, Duration.ofMillis(50));
        }
    }

    private static void poll(
            KafkaConsumer<String, byte[]> verify, String camera, Map<String, Match> decisions, Duration wait) {
        for (ConsumerRecord<String, byte[]> r : verify.poll(wait)) {
            if (camera.equals(r.key())) {
                Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                decisions.put(m.matchId(), m);
            }
        }
    }
}

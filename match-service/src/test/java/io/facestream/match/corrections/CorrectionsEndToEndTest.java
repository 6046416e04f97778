package io.facestream.match.corrections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.Verdict;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.api.Multipart;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import io.facestream.match.testing.Scene;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators' corrections change decisions. Real broker, real embed and match services, real models, real photos:
 * alice is enrolled from one portrait, bob from another person's. A camera films a woman (another photo of alice's
 * face) and the decision is a HIT for alice; the operator rejects it through the API. The same woman filmed again
 * is no longer a HIT for alice (her template is closer to the rejected track than to alice's enrolment), while bob,
 * filmed too, still is a HIT for bob. The review queue lists close decisions; the woman's track is enrolled through
 * the API as carol, and her next track is a HIT for carol. Erasing alice removes her negative exemplar.
 */
@KafkaBroker
class CorrectionsEndToEndTest {
    private static final String KEY = "corrections-test-key-0123456789";
    private static final int FRAMES = 4;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRejectionStopsTheSameHitAndAnEnrolledTrackIsFound(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String gallery = "corr-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, Object> o = FaceServices.config("corr", run, dir, KEY, gallery);
        // the restart below rejoins the stopped instance's group: its tasks move once its session ends
        o.put("match.session-timeout", "6s");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        FaceServices.startAtEnd(bootstrap, "corr", run);
        ConsumerGroups.startAtEnd(bootstrap, "corr-verify-" + run, TopicCatalog.MATCHES);
        byte[] woman = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        byte[] other = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.OTHER));

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> verify =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "corr-verify-" + run));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "corr-" + run))) {
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
            Multipart bob = new Multipart().field("subject_id", "bob").file("image", "bob.jpg", other);
            HttpResponse<String> enrolled = FaceServices.post(
                    http, KEY, base + "/api/galleries/" + gallery + "/subjects", bob.contentType(), bob.body());
            assertEquals(201, enrolled.statusCode(), enrolled.body());
            Map<String, Match> decisions = new HashMap<>();

            // 1. the woman is a HIT for alice; the operator rejects it
            Match first = film(base, producer, verify, decisions, "cam1-" + run, woman);
            assertEquals(Match.Decision.HIT, first.decision(), first.toString());
            assertEquals("alice", first.best().subjectId());
            HttpResponse<String> rejected = send(
                    "POST",
                    base + "/api/feedback",
                    "{\"match_id\":\"" + first.matchId() + "\",\"verdict\":\"reject\"}");
            assertEquals(201, rejected.statusCode(), rejected.body());
            Feedback stored = feedbackRecord(bootstrap, first.matchId());
            assertEquals(Verdict.REJECT, stored.getVerdict());
            assertEquals("alice", stored.getSubjectId());
            assertTrue(stored.getTemplateCount() > 0, "the rejection carries the track's template");
            assertEquals(first.best().score(), stored.getScore(), 1e-9);
            assertEquals(first.bestFaces().size(), stored.getAlignedCropsJpegCount(), "and its best faces' crops");
            assertEquals(3, first.bestFaces().size(), "a track of 4 faces keeps its 3 best: " + first);
            assertEquals(first.bestFace(), first.bestFaces().get(0));

            // 2. the same woman filmed again: no longer a HIT for alice
            Match again = film(base, producer, verify, decisions, "cam2-" + run, woman);
            assertFalse(
                    again.decision() == Match.Decision.HIT
                            && "alice".equals(again.best().subjectId()),
                    "the rejected person is not alice's HIT again: " + again);
            assertTrue(
                    again.candidates().stream().noneMatch(c -> c.subjectId().equals("alice")),
                    "alice is vetoed: " + again);

            // 3. bob still is a HIT for bob
            Match bobSeen = film(base, producer, verify, decisions, "cam3-" + run, other);
            assertEquals(Match.Decision.HIT, bobSeen.decision(), bobSeen.toString());
            assertEquals("bob", bobSeen.best().subjectId());

            // 4. the review queue: the first decision has feedback, so it is not listed; a wide band lists bob's
            // the API's feed reads facestream.matches on its own: wait until it has bob's decision
            JsonNode queue;
            List<String> queued = new java.util.ArrayList<>();
            long feedDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                queued.clear();
                queue = Json.mapper()
                        .readTree(send("GET", base + "/api/review?band=2", null).body());
                queue.get("items").forEach(i -> queued.add(i.get("match_id").asText()));
                if (!queued.contains(bobSeen.matchId())) {
                    assertTrue(System.nanoTime() < feedDeadline, "bob's decision never reached the review queue");
                    Thread.sleep(100);
                }
            } while (!queued.contains(bobSeen.matchId()));
            assertFalse(queued.contains(first.matchId()), queue.toString());
            assertTrue(queued.contains(bobSeen.matchId()), queue.toString());
            assertTrue(queued.contains(again.matchId()), queue.toString());
            assertTrue(queued.indexOf(bobSeen.matchId()) < queued.indexOf(again.matchId()), "newest first: " + queued);
            JsonNode bobItem = queue.get("items").get(queued.indexOf(bobSeen.matchId()));
            assertEquals(
                    bobSeen.best().score() - bobSeen.threshold(),
                    bobItem.get("margin").asDouble(),
                    1e-9);
            assertEquals(
                    "/api/" + bobSeen.bestFace() + "/crop",
                    bobItem.at("/best_faces/0/crop").asText());
            assertEquals(bobSeen.bestFaces().size(), bobItem.get("best_faces").size());
            for (JsonNode face : bobItem.get("best_faces")) {
                HttpResponse<String> crop = send("GET", base + face.get("crop").asText(), null);
                assertEquals(200, crop.statusCode(), face + ": " + crop.body());
            }
            assertEquals(
                    200,
                    send("GET", base + bobItem.get("gallery_face").asText(), null)
                            .statusCode());
            HttpResponse<String> narrow = send("GET", base + "/api/review?band=-1", null);
            assertEquals(400, narrow.statusCode(), narrow.body());

            // 4b. the threshold from rejections: none while the threshold is the default (nothing to count against)
            String model = first.model().name() + ":" + first.model().version();
            String suggestion = base + "/api/galleries/" + gallery + "/threshold/suggestion?model=" + model;
            HttpResponse<String> uncalibrated = send("GET", suggestion, null);
            assertEquals(409, uncalibrated.statusCode(), uncalibrated.body());
            assertTrue(uncalibrated.body().contains("calibrate it first"), uncalibrated.body());
            // calibrated for FPIR 0.1 on 20 non-mated searches: 2 may score at or above the threshold, just above 0.4
            StringBuilder scores = new StringBuilder("0.6,0.6");
            for (int i = 0; i < 18; i++) {
                scores.append(",0.4");
            }
            HttpResponse<String> calibrated = send(
                    "PUT",
                    base + "/api/galleries/" + gallery + "/threshold",
                    "{\"model\":\"" + model + "\",\"target_fpir\":0.1,\"non_mated_scores\":[" + scores + "]}");
            assertEquals(200, calibrated.statusCode(), calibrated.body());
            double t0 = Math.nextUp(0.4);
            // the calibration's 2 alarms use up the allowance of floor(0.1 × 21) = 2: the rejected score must fall
            JsonNode suggested =
                    Json.mapper().readTree(send("GET", suggestion, null).body());
            assertEquals(t0, suggested.get("calibrated").asDouble(), suggested.toString());
            assertEquals(1, suggested.get("rejections").asInt(), suggested.toString());
            assertEquals(21, suggested.get("searches").asInt(), suggested.toString());
            assertEquals(
                    Math.nextUp(first.best().score()),
                    suggested.get("suggested").asDouble(),
                    suggested.toString());
            HttpResponse<String> applied = send(
                    "POST",
                    base + "/api/galleries/" + gallery + "/threshold/suggestion/apply",
                    "{\"model\":\"" + model + "\"}");
            assertEquals(200, applied.statusCode(), applied.body());
            JsonNode galleries = Json.mapper()
                    .readTree(send("GET", base + "/api/galleries", null).body());
            JsonNode threshold = null;
            for (JsonNode g : galleries) {
                if (g.get("name").asText().equals(gallery)) {
                    threshold = g.at("/thresholds/0");
                }
            }
            assertEquals("corrected", threshold.get("source").asText(), galleries.toString());
            assertEquals(
                    Math.nextUp(first.best().score()),
                    threshold.get("threshold").asDouble());
            assertEquals(20, threshold.get("calibrated_on").asInt());
            // counted once: applying again changes nothing
            JsonNode again2 =
                    Json.mapper().readTree(send("GET", suggestion, null).body());
            assertEquals(t0, again2.get("calibrated").asDouble(), again2.toString());
            assertEquals(
                    Math.nextUp(first.best().score()), again2.get("suggested").asDouble());
            assertTrue(
                    Files.readString(dir.resolve("audit.log")).contains("\"gallery.threshold.apply\""),
                    "applying is audited");

            // 5. the woman's track enrolled as carol through the API: her next track is carol's HIT
            HttpResponse<String> enrolTrack = send(
                    "POST",
                    base + "/api/tracks/" + again.cameraId() + "/" + again.trackId() + "/enrol",
                    "{\"subject_id\":\"carol\",\"display_name\":\"Carol\"}");
            assertEquals(201, enrolTrack.statusCode(), enrolTrack.body());
            assertEquals(
                    again.matchId(),
                    Json.mapper().readTree(enrolTrack.body()).get("from").asText());
            Match carol = film(base, producer, verify, decisions, "cam4-" + run, woman);
            assertEquals(Match.Decision.HIT, carol.decision(), carol.toString());
            assertEquals("carol", carol.best().subjectId());
            assertTrue(
                    Files.readString(dir.resolve("audit.log")).contains("\"track.enrol\""),
                    "the enrolment from a track is audited");

            // 6. a restart: the negative exemplar comes back from facestream.feedback. The woman filmed again is
            // carol's HIT, and alice is no candidate at all (without the negative she would be the second)
            match.close();
            try (MatchService restarted = MatchService.start(config, bootstrap)) {
                restarted.awaitRunning(Duration.ofSeconds(60));
                String restartedBase = "http://127.0.0.1:" + restarted.apiPort();
                Match afterRestart = film(restartedBase, producer, verify, decisions, "cam5-" + run, woman);
                assertEquals(Match.Decision.HIT, afterRestart.decision(), afterRestart.toString());
                assertEquals("carol", afterRestart.best().subjectId());
                assertTrue(
                        afterRestart.candidates().stream()
                                .noneMatch(c -> c.subjectId().equals("alice")),
                        "alice is still vetoed after the restart: " + afterRestart);

                // 7. erasing alice removes her negative exemplar (and tombstones the rejection)
                HttpResponse<String> erased =
                        send("DELETE", restartedBase + "/api/galleries/" + gallery + "/subjects/alice", null);
                assertEquals(204, erased.statusCode(), erased.body());
                assertEquals("tombstone", feedbackTombstone(bootstrap, first.matchId()));
                // the restarted service's feed replays the topic first (long on a shared broker): wait for the decision
                FaceServices.inFeed(http, KEY, restartedBase, first);
                // the decision naming alice lost its face data, every best face of it (the track's later decision,
                // vetoed,
                // does not name her: it keeps them)
                JsonNode named = Json.mapper()
                        .readTree(send(
                                        "GET",
                                        restartedBase + "/api/matches?stage=PROVISIONAL&camera=" + first.cameraId(),
                                        null)
                                .body())
                        .at("/matches/0");
                assertEquals(first.matchId(), named.get("match_id").asText(), named.toString());
                assertTrue(
                        named.path("best_face").isMissingNode()
                                || named.path("best_face").isNull(),
                        named.toString());
                assertTrue(
                        named.path("best_faces").isMissingNode()
                                || named.path("best_faces").isEmpty(),
                        named.toString());
                assertTrue(restarted.streams().isRunning(), "the topology is still RUNNING");
            }
        }
    }

    @Test
    void aConfirmationAddsTheTracksFaceToABookingWhenAskedTo(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String gallery = "book-" + run;
        Map<String, Object> o = FaceServices.config("book", run, dir, KEY, gallery);
        o.put("match.corrections.confirm-into-booking", true);
        o.put("match.corrections.auto-apply-threshold", true);
        byte[] woman = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        try (Scene scene = Scene.start(bootstrap, "book", run, o, KEY, true)) {
            String base = scene.base;
            KafkaConsumer<String, byte[]> verify = scene.verify;
            KafkaProducer<String, byte[]> producer = scene.producer;
            HttpResponse<String> created =
                    send("POST", base + "/api/galleries", "{\"name\":\"" + gallery + "\",\"kind\":\"BOOKING\"}");
            assertEquals(201, created.statusCode(), created.body());
            Multipart alice = new Multipart()
                    .field("subject_id", "alice")
                    .file("image", "a.jpg", Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A)));
            HttpResponse<String> enrolled = FaceServices.post(
                    http, KEY, base + "/api/galleries/" + gallery + "/subjects", alice.contentType(), alice.body());
            assertEquals(201, enrolled.statusCode(), enrolled.body());

            Map<String, Match> decisions = new HashMap<>();
            Match hit = film(base, producer, verify, decisions, "door-" + run, woman);
            assertEquals(Match.Decision.HIT, hit.decision(), hit.toString());
            assertEquals("alice", hit.best().subjectId());
            HttpResponse<String> confirmed = send(
                    "POST", base + "/api/feedback", "{\"match_id\":\"" + hit.matchId() + "\",\"verdict\":\"confirm\"}");
            assertEquals(201, confirmed.statusCode(), confirmed.body());
            JsonNode subjects = Json.mapper()
                    .readTree(send("GET", base + "/api/galleries/" + gallery + "/subjects", null)
                            .body());
            assertEquals(
                    List.of("item-1", "track-door-" + run + "-1"),
                    Json.mapper().convertValue(subjects.at("/0/media"), List.class),
                    subjects.toString());
            // the track's other decision confirmed too: the face is not added twice
            Match fin = finalOf(verify, decisions, "door-" + run);
            FaceServices.inFeed(http, KEY, base, fin);
            assertEquals(
                    201,
                    send(
                                    "POST",
                                    base + "/api/feedback",
                                    "{\"match_id\":\"" + fin.matchId() + "\",\"verdict\":\"confirm\"}")
                            .statusCode());
            JsonNode after = Json.mapper()
                    .readTree(send("GET", base + "/api/galleries/" + gallery + "/subjects", null)
                            .body());
            assertEquals(2, after.at("/0/media").size(), after.toString());
            assertTrue(
                    Files.readString(dir.resolve("audit.log")).contains("\"adds_medium\""),
                    "the addition is in the feedback's audit line");

            // auto-apply: once the threshold is calibrated, a rejection moves it by itself
            String model = hit.model().name() + ":" + hit.model().version();
            StringBuilder scores = new StringBuilder("0.6,0.6");
            for (int i = 0; i < 18; i++) {
                scores.append(",0.4");
            }
            HttpResponse<String> calibrated = send(
                    "PUT",
                    base + "/api/galleries/" + gallery + "/threshold",
                    "{\"model\":\"" + model + "\",\"target_fpir\":0.1,\"non_mated_scores\":[" + scores + "]}");
            assertEquals(200, calibrated.statusCode(), calibrated.body());
            Match second = film(base, producer, verify, decisions, "hall-" + run, woman);
            assertEquals(Match.Decision.HIT, second.decision(), second.toString());
            HttpResponse<String> rejected = send(
                    "POST",
                    base + "/api/feedback",
                    "{\"match_id\":\"" + second.matchId() + "\",\"verdict\":\"reject\"}");
            assertEquals(201, rejected.statusCode(), rejected.body());
            JsonNode threshold = Json.mapper()
                    .readTree(send("GET", base + "/api/galleries", null).body());
            JsonNode ours = null;
            for (JsonNode g : threshold) {
                if (g.get("name").asText().equals(gallery)) {
                    ours = g.at("/thresholds/0");
                }
            }
            assertEquals("corrected", ours.get("source").asText(), threshold.toString());
            assertEquals(
                    Math.nextUp(second.best().score()), ours.get("threshold").asDouble(), ours.toString());
            assertTrue(
                    Files.readString(dir.resolve("audit.log")).contains("\"threshold_applied\""),
                    "the move is in the rejection's audit line");
        }
    }

    /** The FINAL decision of a camera's first track (it closes once the camera is silent). */
    private static Match finalOf(KafkaConsumer<String, byte[]> verify, Map<String, Match> decisions, String camera) {
        String id = camera + "/1/FINAL";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!decisions.containsKey(id)) {
            assertTrue(System.nanoTime() < deadline, "no " + id + "; decisions so far: " + decisions.keySet());
            for (ConsumerRecord<String, byte[]> r : verify.poll(Duration.ofMillis(100))) {
                Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                decisions.put(m.matchId(), m);
            }
        }
        return decisions.get(id);
    }

    /** Frames of {@code photo} on a new camera; its track's PROVISIONAL decision, once the API's feed has it too. */
    private Match film(
            String base,
            KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> verify,
            Map<String, Match> decisions,
            String camera,
            byte[] photo)
            throws Exception {
        return FaceServices.film(http, KEY, base, producer, verify, decisions, camera, photo, FRAMES);
    }

    /** The latest feedback record for a match id on facestream.feedback. */
    private static Feedback feedbackRecord(String bootstrap, String matchId) throws Exception {
        byte[] v = latest(bootstrap, matchId);
        assertNotEquals(null, v, "feedback for " + matchId);
        return Feedback.parseFrom(v);
    }

    /** "tombstone" once the latest feedback record for the match id is a tombstone. */
    private static String feedbackTombstone(String bootstrap, String matchId) {
        return latest(bootstrap, matchId) == null ? "tombstone" : null;
    }

    private static byte[] latest(String bootstrap, String matchId) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            var parts = c.partitionsFor(TopicCatalog.FEEDBACK).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            byte[] found = null;
            boolean seen = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "timed out reading " + TopicCatalog.FEEDBACK);
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (matchId.equals(r.key())) {
                        found = r.value();
                        seen = true;
                    }
                }
            }
            assertTrue(seen, "no feedback record for " + matchId);
            return found;
        }
    }

    private HttpResponse<String> send(String method, String uri, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + KEY);
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

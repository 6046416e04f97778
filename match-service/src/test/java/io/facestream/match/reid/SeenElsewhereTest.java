package io.facestream.match.reid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.ModelRef;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * "Seen elsewhere" through a running match service and a real broker: the same person's tracks on two cameras find
 * each other across cameras, a stranger's does not come up, and the search is refused with what to send, 404 for a
 * track without a template, and audited.
 */
@KafkaBroker
class SeenElsewhereTest {
    private static final String VIEWER = "viewer-key-0123456789abc";
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MatchService s, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.apiPort() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + VIEWER)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A face of direction {@code axis} with a little of {@code noise}, as an embed service writes it (16-d). */
    private static FaceObservation face(String camera, int axis, int noise) {
        FaceObservation.Builder o = FaceObservation.newBuilder()
                .setCameraId(camera)
                .setModel(ModelRef.newBuilder().setName("mobilefacenet").setVersion("1"))
                .setNorm(20);
        for (int i = 0; i < 16; i++) {
            o.addEmbedding(i == axis ? 20f : i == noise ? 4f : 0.2f);
        }
        return o.build();
    }

    private Match decision(String camera, String track, Match.Decision d, String bestFace) {
        long now = System.currentTimeMillis() * 1000;
        return new Match(
                camera + "/" + track + "/FINAL",
                track,
                camera,
                now - 2_000_000,
                now,
                Match.Stage.FINAL,
                d,
                0.4,
                "watch-" + run,
                new Match.ModelId("mobilefacenet", "1"),
                d == Match.Decision.HIT ? List.of(new Match.Candidate("alice", "m1", 0.9)) : List.of(),
                3,
                bestFace);
    }

    @Test
    void aPersonsTracksFindEachOtherAcrossCamerasAndAStrangerDoesNot(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir = Path.of("target", "reid-test", run).toAbsolutePath();
        Map<String, Object> o = FaceServices.matchConfig("reid", run, dir, "watch-" + run);
        o.put("api.keys.wall.key", VIEWER);
        o.put("api.keys.wall.role", "viewer");
        o.put("match.rollout.enabled", false);
        // the test polls until the templates are built: more searches than the default burst of 10 allows
        o.put("api.rate-limit.search.burst", 1000);
        String door = "door-" + run;
        String lobby = "lobby-" + run;
        String yard = "yard-" + run;
        try (MatchService s = MatchService.start(
                        FacestreamConfig.builder().isolated().build().with(o), bootstrap);
                KafkaProducer<String, byte[]> p =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "reid-test-" + run))) {
            // the faces as an embed service wrote them, then the decisions naming them as their best faces
            Map<String, String> refs = new HashMap<>();
            Object[][] faces = {{door, 3, 5}, {lobby, 3, 7}, {yard, 11, 12}};
            for (Object[] f : faces) {
                String camera = (String) f[0];
                RecordMetadata md = p.send(new ProducerRecord<>(
                                TopicCatalog.FACES,
                                camera,
                                face(camera, (int) f[1], (int) f[2]).toByteArray()))
                        .get();
                refs.put(camera, "faces/" + md.partition() + "/" + md.offset());
            }
            var json = JsonSerde.match().serializer();
            for (Match m : List.of(
                    decision(door, "1", Match.Decision.UNKNOWN, refs.get(door)),
                    decision(lobby, "4", Match.Decision.HIT, refs.get(lobby)),
                    decision(yard, "9", Match.Decision.UNKNOWN, refs.get(yard)))) {
                p.send(new ProducerRecord<>(
                                TopicCatalog.MATCHES, m.cameraId(), json.serialize(TopicCatalog.MATCHES, m)))
                        .get();
            }

            // the templates are built in the background as the decisions reach the feed
            HttpResponse<String> r = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < until) {
                r = get(s, "/api/tracks/" + door + "/1/elsewhere?within=30m&min_score=0.5");
                if (r.statusCode() == 200
                        && Json.mapper().readTree(r.body()).get("sightings").size() > 0) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(200, r.statusCode(), r.body());
            JsonNode found = Json.mapper().readTree(r.body()).get("sightings");
            assertEquals(1, found.size(), "the lobby track alone: the yard's is another person\n" + r.body());
            assertEquals(lobby, found.get(0).get("camera_id").asText());
            assertEquals("4", found.get(0).get("track_id").asText());
            assertTrue(found.get(0).get("score").asDouble() > 0.9, r.body());
            assertEquals("HIT", found.get(0).get("decision").get("decision").asText());
            assertEquals(
                    "/api/" + refs.get(lobby) + "/crop",
                    found.get(0).get("best_face_crop").asText());

            // every other track, whatever its score, with min_score -1; the track itself never
            JsonNode all = Json.mapper()
                    .readTree(get(s, "/api/tracks/" + door + "/1/elsewhere?min_score=-1")
                            .body())
                    .get("sightings");
            assertEquals(2, all.size(), all.toString());
            assertEquals(lobby, all.get(0).get("camera_id").asText(), "closest first");
            assertEquals(yard, all.get(1).get("camera_id").asText());

            // refusals say what to send
            HttpResponse<String> bad = get(s, "/api/tracks/" + door + "/1/elsewhere?within=3d");
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("match.reid.window"), bad.body());
            bad = get(s, "/api/tracks/" + door + "/1/elsewhere?min_score=2");
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("-1 to 1"), bad.body());
            HttpResponse<String> missing = get(s, "/api/tracks/" + door + "/77/elsewhere");
            assertEquals(404, missing.statusCode(), missing.body());
            assertTrue(missing.body().contains("no template"), missing.body());

            // a search with a face: audited
            String audit = Files.readString(dir.resolve("audit.log"));
            assertTrue(audit.contains("track.elsewhere"), audit);
        }
    }
}

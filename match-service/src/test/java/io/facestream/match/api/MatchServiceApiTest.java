package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.ModelRef;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.match.runtime.MatchService;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The running service (topology + API) on a real broker: keys and roles, bad input, galleries, the OpenAPI document
 * against the router, matches arriving from faces and being queryable, live over SSE, feedback.
 */
@KafkaBroker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MatchServiceApiTest {
    /**
     * Capture times near now: decisions carry them as record timestamps, and the broker's retention (30 days on
     * facestream.matches) would delete records stamped long ago while a long test JVM runs.
     */
    private static final long T0_US = System.currentTimeMillis() * 1000;

    private static final String ADMIN = "admin-key-0123456789";
    private static final String OPERATOR = "operator-key-0123456789";
    private static final String VIEWER = "viewer-key-0123456789";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private MatchService service;
    private String bootstrap;
    private Path dir;

    @BeforeAll
    void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        this.bootstrap = bootstrap;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        dir = Path.of("target", "api-test", run).toAbsolutePath();
        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        o.put("api.keys.desk.key", OPERATOR);
        o.put("api.keys.desk.role", "operator");
        o.put("api.keys.wall.key", VIEWER);
        o.put("api.keys.wall.role", "viewer");
        o.put("api.max-upload-bytes", 100_000);
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", "api-test-" + run);
        o.put("match.gallery", "watch-" + run);
        o.put("match.track.idle-close", "1s");
        o.put("match.track.idle-check", "200ms");
        service =
                MatchService.start(FacestreamConfig.builder().isolated().build().with(o), bootstrap);
        service.awaitRunning(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.apiPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> json(String method, String path, String key, String body) throws Exception {
        return send(method, path, key, "application/json", body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body()).get("error").asText();
    }

    private static byte[] multipart(
            String boundary, String field, String filename, byte[] content, Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
        sb.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(field)
                .append("\"; filename=\"")
                .append(filename)
                .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(content, 0, out, head.length, content.length);
        System.arraycopy(tail, 0, out, head.length + content.length, tail.length);
        return out;
    }

    @Test
    void keysAndRolesAreEnforced() throws Exception {
        assertEquals(200, json("GET", "/api/health", null, null).statusCode());
        HttpResponse<String> noKey = json("GET", "/api/galleries", null, null);
        assertEquals(401, noKey.statusCode());
        assertTrue(error(noKey).contains("missing API key"), noKey.body());
        assertEquals(
                401, json("GET", "/api/galleries", "wrong-key-0123456789", null).statusCode());
        HttpResponse<String> viewerCreates = json("POST", "/api/galleries", VIEWER, "{\"name\":\"nope-" + run + "\"}");
        assertEquals(403, viewerCreates.statusCode());
        assertTrue(error(viewerCreates).contains("needs ADMIN"), viewerCreates.body());
        assertEquals(
                403,
                json("POST", "/api/galleries", OPERATOR, "{\"name\":\"nope-" + run + "\"}")
                        .statusCode());
        assertEquals(200, json("GET", "/api/matches", VIEWER, null).statusCode());
        assertEquals(401, json("GET", "/api/faces/0/0/crop", null, null).statusCode());
    }

    @Test
    void galleryLifecycleAndBadInput() throws Exception {
        String g = "g-" + run;
        HttpResponse<String> malformed = json("POST", "/api/galleries", ADMIN, "{\"name\": ");
        assertEquals(400, malformed.statusCode());
        assertTrue(error(malformed).contains("not valid JSON"), malformed.body());
        assertEquals(
                400,
                json("POST", "/api/galleries", ADMIN, "{\"name\":\"bad/name\"}").statusCode());
        assertEquals(
                400,
                json("POST", "/api/galleries", ADMIN, "{\"name\":\"x" + run + "\",\"kind\":\"WEIRD\"}")
                        .statusCode());
        assertEquals(
                201,
                json("POST", "/api/galleries", ADMIN, "{\"name\":\"" + g + "\",\"kind\":\"SINGLE\"}")
                        .statusCode());
        assertEquals(
                409,
                json("POST", "/api/galleries", ADMIN, "{\"name\":\"" + g + "\"}")
                        .statusCode());
        JsonNode list = Json.mapper()
                .readTree(json("GET", "/api/galleries", VIEWER, null).body());
        assertTrue(list.toString().contains("\"" + g + "\""), list.toString());

        HttpResponse<String> unknown = json("GET", "/api/galleries/none-" + run + "/subjects", VIEWER, null);
        assertEquals(404, unknown.statusCode());
        assertTrue(error(unknown).contains("does not exist"));

        // threshold: calibration needs enough non-mated scores for its FPIR
        HttpResponse<String> few = json(
                "PUT",
                "/api/galleries/" + g + "/threshold",
                ADMIN,
                "{\"model\":\"mobilefacenet:1\",\"target_fpir\":0.01,\"non_mated_scores\":[0.1,0.2]}");
        assertEquals(400, few.statusCode());
        assertTrue(error(few).contains("at least 100"), few.body());
        StringBuilder scores = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            scores.append(i == 0 ? "" : ",").append(i / 100.0);
        }
        HttpResponse<String> cal = json(
                "PUT",
                "/api/galleries/" + g + "/threshold",
                ADMIN,
                "{\"model\":\"mobilefacenet:1\",\"target_fpir\":0.01,\"non_mated_scores\":[" + scores + "]}");
        assertEquals(200, cal.statusCode(), cal.body());
        assertEquals(0.98, Json.mapper().readTree(cal.body()).get("threshold").asDouble(), 1e-9);
        String listed = json("GET", "/api/galleries", VIEWER, null).body();
        assertTrue(listed.contains("open-set.mobilefacenet:1.threshold"), listed);
        JsonNode listedThreshold = null;
        for (JsonNode gallery : Json.mapper().readTree(listed)) {
            if (gallery.get("name").asText().equals(g)) {
                listedThreshold = gallery.get("thresholds").get(0);
            }
        }
        assertEquals("mobilefacenet:1", listedThreshold.get("model").asText(), listed);
        assertEquals(0.98, listedThreshold.get("threshold").asDouble(), 1e-9);
        assertEquals("calibrated", listedThreshold.get("source").asText());
        assertEquals(100, listedThreshold.get("calibrated_on").asInt());

        // uploads: too large (413), not an image (422), missing subject id (400); nothing is enrolled
        String boundary = "b" + run;
        HttpResponse<String> big = send(
                "POST",
                "/api/galleries/" + g + "/subjects",
                OPERATOR,
                "multipart/form-data; boundary=" + boundary,
                multipart(boundary, "image", "big.jpg", new byte[200_000], Map.of("subject_id", "alice")));
        assertEquals(413, big.statusCode(), big.body());
        HttpResponse<String> text = send(
                "POST",
                "/api/galleries/" + g + "/subjects",
                OPERATOR,
                "multipart/form-data; boundary=" + boundary,
                multipart(
                        boundary,
                        "image",
                        "notes.txt",
                        "hello, not an image".getBytes(StandardCharsets.UTF_8),
                        Map.of("subject_id", "alice")));
        assertEquals(422, text.statusCode(), text.body());
        HttpResponse<String> noSubject = send(
                "POST",
                "/api/galleries/" + g + "/subjects",
                OPERATOR,
                "multipart/form-data; boundary=" + boundary,
                multipart(boundary, "image", "a.jpg", new byte[10], Map.of()));
        assertEquals(400, noSubject.statusCode(), noSubject.body());
        assertEquals(
                "[]",
                json("GET", "/api/galleries/" + g + "/subjects", VIEWER, null).body());
        assertEquals(
                404,
                json("DELETE", "/api/galleries/" + g + "/subjects/alice", OPERATOR, null)
                        .statusCode());

        assertEquals(204, json("DELETE", "/api/galleries/" + g, ADMIN, null).statusCode());
        assertEquals(
                404,
                json("GET", "/api/galleries/" + g + "/subjects", VIEWER, null).statusCode());
        String audit = Files.readString(dir.resolve("audit.log"));
        assertTrue(
                audit.contains("\"gallery.create\"")
                        && audit.contains("\"gallery.delete\"")
                        && audit.contains("\"principal\":\"root\""),
                audit);
    }

    @Test
    void openApiDocumentListsExactlyTheRoutes() throws Exception {
        HttpResponse<String> doc = json("GET", "/openapi.yaml", null, null);
        assertEquals(200, doc.statusCode());
        JsonNode paths = Json.yaml().readTree(doc.body()).get("paths");
        Set<String> documented = new TreeSet<>();
        paths.fields()
                .forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
                    if (!m.equals("parameters")) {
                        documented.add(m.toUpperCase() + " " + p.getKey());
                    }
                }));
        Set<String> routed = new TreeSet<>();
        for (Route r : service.router().getRoutes()) {
            if (r.getPath() == null || r.methods() == null || r.getPath().endsWith("/")) {
                continue; // the body handler, the failure handler and the static page's catch-all
            }
            String path = r.getPath().replaceAll(":([A-Za-z_]+)", "{$1}");
            r.methods().forEach(m -> routed.add(m.name() + " " + path));
        }
        routed.add("GET /"); // served by the static handler
        assertEquals(routed, documented);
    }

    @Test
    void facesBecomeMatchesThatCanBeQueriedStreamedAndReviewed() throws Exception {
        String camera = "api-cam-" + run;
        // SSE first, so the live stream must carry the decision
        HttpRequest sseRequest = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.apiPort() + "/api/live?camera=" + camera))
                .header("X-Api-Key", VIEWER)
                .build();
        var sse = http.sendAsync(sseRequest, HttpResponse.BodyHandlers.ofLines());
        Thread.sleep(300);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaClients.producer(bootstrap, "api-test-" + run))) {
            for (int f = 0; f < 4; f++) {
                FaceObservation.Builder o = FaceObservation.newBuilder()
                        .setCameraId(camera)
                        .setFrameSeq(f)
                        .setCaptureTsUs(T0_US + f * 40_000L)
                        .setBox(Box.newBuilder()
                                .setX(100 + f)
                                .setY(100)
                                .setWidth(50)
                                .setHeight(50))
                        .setModel(ModelRef.newBuilder().setName("mobilefacenet").setVersion("1"));
                for (int i = 0; i < 8; i++) {
                    o.addEmbedding(i == 2 ? 20f : 0.5f * f);
                }
                p.send(new ProducerRecord<>(
                        TopicCatalog.FACES, camera, o.setNorm(20).build().toByteArray()));
            }
        }
        JsonNode page = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            page = Json.mapper()
                    .readTree(json("GET", "/api/matches?camera=" + camera + "&stage=final", VIEWER, null)
                            .body());
            if (page.get("total").asInt() > 0) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(1, page.get("total").asInt(), page.toString());
        JsonNode m = page.get("matches").get(0);
        assertEquals(camera + "/1/FINAL", m.get("match_id").asText());
        assertEquals("UNKNOWN", m.get("decision").asText(), "the gallery does not exist: nobody can be a hit");
        assertEquals(4, m.get("faces").asInt());

        var lines = sse.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, lines.statusCode());
        assertTrue(
                lines.body().anyMatch(l -> l.startsWith("data:") && l.contains(camera + "/1/")),
                "live stream carried the match");

        // the same decisions in the match history, with the crop URL of the best face; bad queries say what to send
        JsonNode history = null;
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            history = Json.mapper()
                    .readTree(json("GET", "/api/history?camera=" + camera + "&limit=1", VIEWER, null)
                            .body());
            if (history.get("total").asInt() == 2) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(2, history.get("total").asInt(), history.toString());
        JsonNode newest = history.get("items").get(0);
        assertEquals(camera + "/1/FINAL", newest.get("match_id").asText(), "newest first");
        assertEquals(
                "/api/" + newest.get("best_face").asText() + "/crop",
                newest.get("best_face_crop").asText());
        String cursor = history.get("next_cursor").asText();
        JsonNode second = Json.mapper()
                .readTree(json("GET", "/api/history?camera=" + camera + "&limit=1&cursor=" + cursor, VIEWER, null)
                        .body());
        assertEquals(
                camera + "/1/PROVISIONAL",
                second.get("items").get(0).get("match_id").asText());
        assertFalse(second.has("next_cursor"), "the last page has no cursor");
        HttpResponse<String> badCursor = json("GET", "/api/history?cursor=nonsense", VIEWER, null);
        assertEquals(400, badCursor.statusCode());
        assertTrue(error(badCursor).contains("pass the next_cursor of the previous page"), badCursor.body());
        HttpResponse<String> backwards =
                json("GET", "/api/history?from=2026-12-03T11:00:00Z&to=2026-12-03T10:00:00Z", VIEWER, null);
        assertEquals(400, backwards.statusCode());
        assertTrue(error(backwards).contains("swap them"), backwards.body());
        assertEquals(
                "decision = 'MAYBE' is not one of [HIT, UNKNOWN]: send one of them",
                error(json("GET", "/api/history?decision=MAYBE", VIEWER, null)));
        assertEquals(401, json("GET", "/api/history", null, null).statusCode());

        assertEquals(
                400, json("GET", "/api/matches?decision=MAYBE", VIEWER, null).statusCode());
        assertEquals(400, json("GET", "/api/matches?limit=0", VIEWER, null).statusCode());
        JsonNode track = Json.mapper()
                .readTree(json("GET", "/api/tracks/" + camera + "/1", VIEWER, null)
                        .body());
        assertEquals(2, track.get("decisions").size(), track.toString());
        assertEquals(
                404, json("GET", "/api/tracks/" + camera + "/99", VIEWER, null).statusCode());
        assertTrue(json("GET", "/api/cameras", VIEWER, null).body().contains(camera));

        String fb = "{\"match_id\":\"" + camera + "/1/FINAL\",\"verdict\":\"reject\",\"comment\":\"not a person\"}";
        assertEquals(403, json("POST", "/api/feedback", VIEWER, fb).statusCode());
        assertEquals(201, json("POST", "/api/feedback", OPERATOR, fb).statusCode());
        assertEquals(
                404,
                json("POST", "/api/feedback", OPERATOR, "{\"match_id\":\"nope\",\"verdict\":\"reject\"}")
                        .statusCode());
        assertEquals(
                400,
                json(
                                "POST",
                                "/api/feedback",
                                OPERATOR,
                                "{\"match_id\":\"" + camera + "/1/FINAL\",\"verdict\":\"maybe\"}")
                        .statusCode());
        assertTrue(json("GET", "/metrics", null, null).body().contains("facestream_match_faces"));
    }
}

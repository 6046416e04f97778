package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.ingest.IngestService;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Cameras at run time, end to end on a real broker: the match API writes specs to facestream.cameras, a running
 * ingest process follows them (start, pause, resume, remove) and reports status that the API lists; the snapshot is
 * the camera's latest frame; every change is audited; credentials in a source never come back.
 */
@KafkaBroker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CameraApiTest {
    private static final String ADMIN = "camera-admin-key-0123456789";
    private static final String OPERATOR = "camera-operator-key-0123456789";
    private static final String VIEWER = "camera-viewer-key-0123456789";
    private static final String SECRET = "s3cretPassw0rd";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private MatchService service;
    private IngestService ingest;
    private KafkaConsumer<String, byte[]> frames;
    private Path dir;

    @BeforeAll
    void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        dir = Path.of("target", "camera-test", run).toAbsolutePath();
        Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(40 * i, 90, 200 - 40 * i));
            g.fillRect(0, 0, 160, 120);
            g.dispose();
            ImageIO.write(
                    img,
                    "jpg",
                    dir.resolve("images").resolve("frame-" + i + ".jpg").toFile());
        }
        Map<String, Object> o = FaceServices.matchConfig("camera", run, dir, "watch-" + run);
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        o.put("api.keys.desk.key", OPERATOR);
        o.put("api.keys.desk.role", "operator");
        o.put("api.keys.wall.key", VIEWER);
        o.put("api.keys.wall.role", "viewer");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        service = MatchService.start(config, bootstrap);
        service.awaitRunning(Duration.ofSeconds(60));
        KafkaConnection kafka = KafkaConnection.of(bootstrap);
        ingest = IngestService.start(kafka, List.of(), CameraOptions.fromConfig(config), Duration.ofSeconds(10))
                .followCameras(kafka, Duration.ofMillis(300));
        frames = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null));
        List<TopicPartition> parts = frames.partitionsFor(TopicCatalog.FRAMES).stream()
                .map(p -> new TopicPartition(TopicCatalog.FRAMES, p.partition()))
                .toList();
        frames.assign(parts);
        frames.seekToEnd(parts);
        parts.forEach(frames::position);
    }

    @AfterAll
    void stop() {
        if (frames != null) {
            frames.close();
        }
        if (ingest != null) {
            ingest.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private HttpResponse<byte[]> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.apiPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        b.header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Frames of {@code camera} that arrive within {@code window}. */
    private int framesOf(String camera, Duration window) {
        int n = 0;
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : frames.poll(Duration.ofMillis(100))) {
                if (camera.equals(r.key())) {
                    n++;
                }
            }
        }
        return n;
    }

    private boolean framesArrive(String camera) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (framesOf(camera, Duration.ofMillis(500)) > 0) {
                return true;
            }
        }
        return false;
    }

    private JsonNode camera(String id) throws Exception {
        HttpResponse<byte[]> r = send("GET", "/api/cameras", VIEWER, null);
        assertEquals(200, r.statusCode(), text(r));
        for (JsonNode c : Json.mapper().readTree(r.body())) {
            if (c.get("camera").asText().equals(id)) {
                return c;
            }
        }
        return null;
    }

    private JsonNode awaitCamera(String id, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode c = null;
        while (System.nanoTime() < deadline) {
            c = camera(id);
            if (until.test(c)) {
                return c;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("camera " + id + " never reached the expected state; last seen: " + c);
    }

    private static String state(JsonNode c) {
        return c == null || !c.has("status") ? "" : c.get("status").get("state").asText();
    }

    @Test
    void addPauseResumeAndRemoveACameraWhileIngestRuns() throws Exception {
        String id = "door-" + run;
        String body = "{\"source\":\"" + dir.resolve("images")
                + "\",\"options\":{\"image-fps\":\"10\",\"fps\":0,\"at-end\":\"loop\",\"replay\":\"realtime\"}}";
        assertEquals(403, send("PUT", "/api/cameras/" + id, VIEWER, body).statusCode());
        HttpResponse<byte[]> put = send("PUT", "/api/cameras/" + id, OPERATOR, body);
        assertEquals(200, put.statusCode(), text(put));
        assertEquals(
                "desk", Json.mapper().readTree(put.body()).get("updated_by").asText());

        assertTrue(framesArrive(id), "no frame of the added camera on " + TopicCatalog.FRAMES);
        JsonNode running = awaitCamera(
                id,
                c -> state(c).equals("RUNNING")
                        && c.get("status").get("frames_sent").asLong() > 0);
        assertEquals("topic", running.get("status").get("origin").asText());
        assertTrue(running.get("status").get("last_frame_ts_us").asLong() > 0, running.toString());
        assertFalse(running.get("spec").get("paused").asBoolean());

        HttpResponse<byte[]> snap = send("GET", "/api/cameras/" + id + "/snapshot", VIEWER, null);
        assertEquals(200, snap.statusCode(), text(snap));
        assertEquals("image/jpeg", snap.headers().firstValue("Content-Type").orElse(""));
        assertEquals((byte) 0xFF, snap.body()[0]);
        assertEquals((byte) 0xD8, snap.body()[1]);
        assertEquals(
                404,
                send("GET", "/api/cameras/nocam-" + run + "/snapshot", VIEWER, null)
                        .statusCode());

        assertEquals(
                403, send("POST", "/api/cameras/" + id + "/pause", VIEWER, null).statusCode());
        assertEquals(
                200,
                send("POST", "/api/cameras/" + id + "/pause", OPERATOR, null).statusCode());
        awaitCamera(
                id,
                c -> state(c).equals("PAUSED") && c.get("spec").get("paused").asBoolean());
        framesOf(id, Duration.ofMillis(500)); // frames acknowledged just before the pause
        assertEquals(0, framesOf(id, Duration.ofMillis(1500)), "frames kept coming while paused");

        assertEquals(
                200,
                send("POST", "/api/cameras/" + id + "/resume", OPERATOR, null).statusCode());
        assertTrue(framesArrive(id), "no frame after resume");
        awaitCamera(id, c -> state(c).equals("RUNNING"));

        assertEquals(403, send("DELETE", "/api/cameras/" + id, OPERATOR, null).statusCode());
        assertEquals(204, send("DELETE", "/api/cameras/" + id, ADMIN, null).statusCode());
        awaitCamera(id, c -> c == null);
        framesOf(id, Duration.ofMillis(500));
        assertEquals(0, framesOf(id, Duration.ofMillis(1500)), "frames kept coming after the camera was removed");
        assertEquals(404, send("DELETE", "/api/cameras/" + id, ADMIN, null).statusCode());

        String audit = Files.readString(dir.resolve("audit.log"));
        for (String action :
                List.of("camera.put", "camera.pause", "camera.resume", "camera.delete", "camera.snapshot")) {
            assertTrue(audit.contains(action), "no audit line for " + action);
        }
    }

    @Test
    void credentialsInASourceAreStoredButNeverShown() throws Exception {
        String id = "gate-" + run;
        String body =
                "{\"source\":\"rtsp://admin:" + SECRET + "@127.0.0.1:1/stream?token=" + SECRET + "\",\"paused\":true}";
        HttpResponse<byte[]> put = send("PUT", "/api/cameras/" + id, OPERATOR, body);
        assertEquals(200, put.statusCode(), text(put));
        assertFalse(text(put).contains(SECRET), text(put));
        assertTrue(text(put).contains("rtsp://admin:***@127.0.0.1:1/stream"), text(put));
        JsonNode c = awaitCamera(id, x -> state(x).equals("PAUSED"));
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.get("status").get("source").asText().contains("***"), c.toString());
        assertFalse(Files.readString(dir.resolve("audit.log")).contains(SECRET), "the audit log holds the password");
        assertEquals(204, send("DELETE", "/api/cameras/" + id, ADMIN, null).statusCode());
    }

    @Test
    void refusesBadIdsSourcesAndOptions() throws Exception {
        assertEquals(
                400,
                send("PUT", "/api/cameras/bad.id", OPERATOR, "{\"source\":\"rtsp://cam/1\"}")
                        .statusCode());
        for (String source : List.of("ftp://cam/1", "relative/dir", "file://host/x", "rtsp:///nohost", "")) {
            HttpResponse<byte[]> r = send("PUT", "/api/cameras/c-" + run, OPERATOR, "{\"source\":\"" + source + "\"}");
            assertEquals(400, r.statusCode(), source + ": " + text(r));
        }
        HttpResponse<byte[]> r = send(
                "PUT",
                "/api/cameras/c-" + run,
                OPERATOR,
                "{\"source\":\"rtsp://cam/1\",\"options\":{\"colour\":\"red\"}}");
        assertEquals(400, r.statusCode());
        assertTrue(text(r).contains("unknown camera option"), text(r));
        assertEquals(
                404,
                send("POST", "/api/cameras/c-" + run + "/pause", OPERATOR, null).statusCode());
    }
}

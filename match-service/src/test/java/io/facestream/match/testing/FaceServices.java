package io.facestream.match.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.core.events.FrameHeaders;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.match.api.Multipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the end-to-end face tests share: a real embed service and a real match service with its API on the test
 * broker, a person enrolled through the API, and frames sent as a camera sends them. Each test gets its own groups,
 * application id and folders from {@code name} and {@code run}, so tests sharing the one broker read only their own
 * records.
 */
public final class FaceServices {
    private FaceServices() {}

    /**
     * The configuration of an embed and match pair: the default models, embed group {@code <name>-embed-<run>} in
     * {@code complete} mode, the API on a free loopback port with the admin key {@code adminKey} (key name
     * {@code desk}), every folder under {@code dir}, Kafka Streams application {@code <name>-test-<run>}, gallery
     * {@code gallery}, idle tracks checked every 200 ms. Tests add or replace keys in the returned map.
     */
    public static Map<String, Object> config(String name, String run, Path dir, String adminKey, String gallery) {
        Map<String, Object> o = matchConfig(name, run, dir, gallery);
        o.put("models.dir", ModelZoo.defaultStore().root().toString());
        o.put("embed.service.group-id", embedGroup(name, run));
        o.put("embed.service.instance-id", name + "-" + run);
        o.put("embed.service.mode", "complete");
        o.put("api.keys.desk.key", adminKey);
        o.put("api.keys.desk.role", "admin");
        o.put("match.track.idle-check", "200ms");
        return o;
    }

    /**
     * A match service of its own: the API on a free loopback port (no keys: tests add theirs), the audit log, key
     * store, uploads, gallery index and Kafka Streams state under {@code dir}, application {@code <name>-test-<run>},
     * gallery {@code gallery}.
     */
    public static Map<String, Object> matchConfig(String name, String run, Path dir, String gallery) {
        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", application(name, run));
        o.put("match.gallery", gallery);
        return o;
    }

    public static String embedGroup(String name, String run) {
        return name + "-embed-" + run;
    }

    public static String application(String name, String run) {
        return name + "-test-" + run;
    }

    /** The embed group starts at the frames' end and Kafka Streams at the faces' end: only this test's records count. */
    public static void startAtEnd(String bootstrap, String name, String run) {
        ConsumerGroups.startAtEnd(bootstrap, embedGroup(name, run), TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, application(name, run), TopicCatalog.FACES);
    }

    /** Creates the SINGLE gallery and enrols {@code subject} from one photo through the API; both must answer 201. */
    public static void enrol(
            HttpClient http,
            String adminKey,
            String base,
            String gallery,
            String subject,
            String displayName,
            byte[] photo)
            throws Exception {
        HttpResponse<String> created = post(
                http,
                adminKey,
                base + "/api/galleries",
                "application/json",
                ("{\"name\":\"" + gallery + "\",\"kind\":\"SINGLE\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(201, created.statusCode(), created.body());
        Multipart form = new Multipart().field("subject_id", subject);
        if (displayName != null) {
            form.field("display_name", displayName);
        }
        form.file("image", subject + ".jpg", photo);
        HttpResponse<String> enrolled =
                post(http, adminKey, base + "/api/galleries/" + gallery + "/subjects", form.contentType(), form.body());
        assertEquals(201, enrolled.statusCode(), enrolled.body());
    }

    public static HttpResponse<String> post(HttpClient http, String key, String uri, String contentType, byte[] body)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Frames as a camera sends them: the photo as JPEG with sequence numbers from {@code firstSeq} and capture times
     * 100 ms apart from {@code firstCaptureUs}.
     */
    public static void sendFrames(
            KafkaProducer<String, byte[]> producer,
            String camera,
            byte[] jpeg,
            int firstSeq,
            int count,
            long firstCaptureUs) {
        for (int i = 0; i < count; i++) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg);
            r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(firstSeq + i));
            r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(firstCaptureUs + i * 100_000L));
            producer.send(r);
        }
        producer.flush();
    }

    /**
     * A person passing camera {@code camera}: {@code frames} frames of {@code photo} (one track), then the track's
     * PROVISIONAL decision as {@code verify} (a reader of facestream.matches) sees it, once the API's own feed has it
     * too. Every decision read meanwhile is kept in {@code decisions} by match id.
     */
    public static io.facestream.core.events.Match film(
            HttpClient http,
            String key,
            String base,
            KafkaProducer<String, byte[]> producer,
            org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> verify,
            Map<String, io.facestream.core.events.Match> decisions,
            String camera,
            byte[] photo,
            int frames)
            throws Exception {
        sendFrames(producer, camera, photo, 0, frames, System.currentTimeMillis() * 1000);
        String id = camera + "/1/PROVISIONAL";
        awaitDecision(verify, decisions, id, Duration.ofSeconds(90));
        io.facestream.core.events.Match m = decisions.get(id);
        inFeed(http, key, base, m);
        return m;
    }

    /** Waits until the API's feed (its own reader of facestream.matches) has the decision. */
    public static void inFeed(HttpClient http, String key, String base, io.facestream.core.events.Match m)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!get(http, key, base + "/api/tracks/" + m.cameraId() + "/" + m.trackId())
                .body()
                .contains("\"" + m.matchId() + "\"")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(m.matchId() + " never reached the API's feed");
            }
            Thread.sleep(100);
        }
    }

    /** Reads facestream.matches with {@code verify} until decision {@code id} is among {@code decisions}. */
    public static void awaitDecision(
            org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> verify,
            Map<String, io.facestream.core.events.Match> decisions,
            String id,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!decisions.containsKey(id)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no " + id + " within " + timeout + "; decisions so far: " + decisions.keySet());
            }
            for (var r : verify.poll(Duration.ofMillis(100))) {
                io.facestream.core.events.Match m = io.facestream.core.events.JsonSerde.match()
                        .deserializer()
                        .deserialize(r.topic(), r.value());
                decisions.put(m.matchId(), m);
            }
        }
    }

    /** GET with the key. */
    public static HttpResponse<String> get(HttpClient http, String key, String uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

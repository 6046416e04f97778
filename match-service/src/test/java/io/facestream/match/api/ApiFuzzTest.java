package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.files.FileTrees;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.FuzzInput;
import io.facestream.core.testing.Fuzzing;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.image.ImageException;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.replication.ReplicaSettings;
import io.facestream.match.api.audit.AuditLog;
import io.facestream.match.api.auth.ApiKeys;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.RateLimiter;
import io.facestream.match.api.auth.Sessions;
import io.facestream.match.api.faces.FaceCrops;
import io.facestream.match.api.faces.FaceReader;
import io.facestream.match.api.faces.ReadFace;
import io.facestream.match.api.live.MatchFeed;
import io.facestream.match.gallery.IndexedGallery;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the HTTP API's JSON and multipart handlers in-process: the real {@link ApiRouter} and {@link MatchRoutes}
 * on a Vert.x server on loopback, a real gallery (replica and writer on a topic of its own) on the test broker, and a
 * {@link FaceReader} that decodes the upload with the real {@link ImageDecoder} but stands in for detection and
 * embedding (a feature from the image size), so an input costs a request, not a neural network. Every request gets an
 * answer within the budget, and never a 500: the handlers answer bad input with 4xx ({@link ApiError},
 * {@code GalleryInputException}, {@link IllegalArgumentException}); a 500 is an exception nobody declared.
 *
 * <p>Input ({@link FuzzInput}): {@code method=}, {@code path=}, {@code key=admin|operator|viewer|<a key>} (absent: no
 * key), {@code type=<content type>}; with {@code type=multipart} the body is built from {@code part:<name>=<value>}
 * fields, {@code file:<name>=<bytes>} uploads and, with {@code body-file=<name>}, the input's body as one more upload;
 * else the body is the input's body. Galleries created by one input
 * remain for the next (one service per run), which a finding's reproduction may need to know.
 */
@KafkaBroker
class ApiFuzzTest {
    private static final String ADMIN = "fuzz-admin-key-0123456789";
    private static final String OPERATOR = "fuzz-operator-key-0123456789";
    private static final String VIEWER = "fuzz-viewer-key-0123456789";
    private static final Deque<AutoCloseable> OWNED = new ArrayDeque<>();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static Path dir;
    private static int port;
    private static String brokerHost;

    /** Decodes like the real reader; the "feature" is the decoded size, so equal sizes match. */
    static final class SizeFaceReader implements FaceReader {
        private final ImageDecoder decoder;

        SizeFaceReader(long maxPixels) {
            this.decoder = new ImageDecoder(maxPixels);
        }

        @Override
        public ReadFace read(byte[] image, String what) {
            try (Mat bgr = decoder.decode(image, what)) {
                return new ReadFace(model(), new float[] {bgr.cols(), bgr.rows(), 1, 0.5f}, image, 0.99f, 1);
            } catch (ImageException e) {
                throw ApiError.unprocessable(e.getMessage());
            }
        }

        @Override
        public String model() {
            return "size:1";
        }
    }

    @BeforeAll
    static void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        brokerHost = bootstrap.split(",")[0].replaceAll(":\\d+$", "");
        String run = UUID.randomUUID().toString().substring(0, 8);
        dir = Files.createTempDirectory("api-fuzz");
        String topic = "fuzz.gallery-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .build()
                .with(Map.of(
                        "api.keys.root.key",
                        ADMIN,
                        "api.keys.root.role",
                        "admin",
                        "api.keys.desk.key",
                        OPERATOR,
                        "api.keys.desk.role",
                        "operator",
                        "api.keys.wall.key",
                        VIEWER,
                        "api.keys.wall.role",
                        "viewer",
                        "api.max-upload-bytes",
                        200_000,
                        "api.audit-log",
                        dir.resolve("audit.log").toString(),
                        "api.key-store",
                        dir.resolve("api-keys.json").toString(),
                        "api.upload-dir",
                        dir.resolve("uploads").toString()));
        GallerySettings gs = GallerySettings.at(dir.resolve("gallery"))
                .withReplica(new ReplicaSettings(topic, Duration.ofSeconds(5), 1000, Duration.ofMillis(20)));
        Gallery gallery = own(Gallery.open(gs, bootstrap));
        IndexedGallery indexed =
                new IndexedGallery(gallery.index(), gs.search(), config.getDouble("match.default-threshold"));
        ApiLimits limits = ApiLimits.from(config);
        AuditLog audit = new AuditLog(config.getPath("api.audit-log"));
        MatchFeed feed = own(new MatchFeed(KafkaConnection.of(bootstrap), 100).start());
        FaceCrops faces = own(new FaceCrops(KafkaConnection.of(bootstrap), 1, 0, feed::isRecentBestFace));
        var feedback = own(new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "fuzz-feedback-" + run)));
        Vertx vertx = Vertx.vertx();
        Guard guard = new Guard(
                ApiKeys.from(config),
                new Sessions(config.getDuration("api.session.ttl")),
                RateLimiter.from(config),
                own(audit));
        var router = new ApiRouter(
                        new GalleryAdmin(gallery, indexed),
                        new SizeFaceReader(limits.maxPixels()),
                        guard,
                        limits,
                        false)
                .build(vertx, new MatchRoutes(feed, faces, feedback));
        ApiServer server = own(ApiServer.start(vertx, router, "127.0.0.1", 0));
        port = server.port();
    }

    private static <T extends AutoCloseable> T own(T part) {
        OWNED.push(part);
        return part;
    }

    @AfterAll
    static void stop() {
        while (!OWNED.isEmpty()) {
            try {
                OWNED.pop().close();
            } catch (Exception e) {
                // closing a fixture: nothing to assert
            }
        }
        if (dir != null) {
            FileTrees.delete(dir);
        }
    }

    @DictionaryEntries({
        "method=",
        "path=/api/galleries",
        "path=/api/search",
        "path=/api/verify",
        "path=/api/matches?",
        "path=/api/feedback",
        "/subjects",
        "/threshold",
        "key=admin",
        "key=operator",
        "key=viewer",
        "type=multipart",
        "part:subject_id=",
        "part:gallery=",
        "part:k=",
        "body-file=image",
        "\"threshold\":",
        "\"target_fpir\":",
        "\"non_mated_scores\":",
        "\"name\":",
        "\"kind\":\"BOOKING\""
    })
    @FuzzTest(maxDuration = "30s")
    void request(byte[] data) {
        allowNetwork();
        FuzzInput in = FuzzInput.parse(data);
        String method = in.text("method", "POST").trim().toUpperCase(java.util.Locale.ROOT);
        if (!List.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
            method = "POST";
        }
        String path = in.text("path", "/api/galleries");
        URI uri;
        try {
            uri = URI.create("http://127.0.0.1:" + port + (path.startsWith("/") ? path : "/" + path));
        } catch (IllegalArgumentException notAUri) {
            return; // the client cannot send it; not the API's input
        }
        if (!"127.0.0.1".equals(uri.getHost()) || uri.getPort() != port) {
            return; // a path like "@host:port" would point the test's own client elsewhere
        }
        if (uri.getRawPath() == null || uri.getRawPath().startsWith("/api/live")) {
            return; // streams (SSE, WebSocket) never end: not a request-answer handler
        }
        String type = in.text("type", "application/json");
        byte[] body = in.body();
        if (type.equals("multipart")) {
            String boundary = "fuzz" + Integer.toHexString(java.util.Arrays.hashCode(data));
            body = multipart(in, boundary);
            type = "multipart/form-data; boundary=" + boundary;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            b.header("Content-Type", type);
            in.text("key")
                    .ifPresent(k -> b.header(
                            "Authorization",
                            "Bearer "
                                    + switch (k) {
                                        case "admin" -> ADMIN;
                                        case "operator" -> OPERATOR;
                                        case "viewer" -> VIEWER;
                                        default -> k;
                                    }));
        } catch (IllegalArgumentException notAHeader) {
            return; // the client refuses such a header value
        }
        HttpRequest request = b.build();
        Fuzzing.checkWall(() -> {
            HttpResponse<String> r;
            try {
                r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException closedEarly) {
                // HTTP lets a server answer a body it refuses before reading it all and close the connection; the
                // client, still sending, may then miss the answer (a broken pipe). Once more: a server that never
                // answers fails the second time too.
                r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            }
            assertNotEquals(500, r.statusCode(), request.method() + " " + uri.getRawPath() + " answered " + r.body());
        });
    }

    /**
     * The requests go to this service and its clients to the test broker: Jazzer's SSRF detector reports connections
     * anywhere else. Set for every input, as Jazzer asks; there only while fuzzing (a replay runs without its hooks).
     */
    private static void allowNetwork() {
        try {
            BugDetectors.allowNetworkConnections(
                    (host, p) -> host.equals("127.0.0.1") || host.equals("localhost") || host.equals(brokerHost));
        } catch (IllegalStateException noHooks) {
            // no bug detectors loaded (a replay, or the inputs replayed before fuzzing starts)
        }
    }

    private static byte[] multipart(FuzzInput in, String boundary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : in.fields()) {
            boolean file = f.getKey().startsWith("file:");
            if (!file && !f.getKey().startsWith("part:") || f.getValue() == null) {
                continue;
            }
            String name = f.getKey().substring(5);
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                            + (file ? "; filename=\"" + name + ".jpg\"\r\nContent-Type: application/octet-stream" : "")
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(f.getValue());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        in.text("body-file").ifPresent(name -> {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                            + "\"; filename=\"upload.jpg\"" + "\r\nContent-Type: image/jpeg\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(in.body());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}

package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.match.api.audit.AuditChain;
import io.facestream.match.api.auth.KeyHash;
import io.facestream.match.runtime.MatchService;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The API's security, generated from the router: every route × {no key, wrong key, expired key, revoked key, viewer,
 * operator, admin} gets the status the OpenAPI document gives it (401 without a usable key, 403 below the route's
 * role, the route's own answer otherwise, each one documented for that operation), over TLS with the security
 * headers. Path-traversal strings in any path parameter are 400; an unauthenticated 8 MiB upload is refused with 401
 * and nothing is written to the upload folder; a key's rate limit answers 429 with Retry-After; keys are created,
 * listed without secrets, expired and revoked at run time; the page's session cookie; the audit log records every
 * refusal and every read of face data with the client's address, its chain verifies, and a change whose audit line
 * cannot be written (a full disk: /dev/full) is not made.
 */
@KafkaBroker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityMatrixTest {
    private static final String ADMIN = "matrix-admin-key-0123456789";
    private static final String OPERATOR = "matrix-operator-key-0123456789";
    private static final String VIEWER = "matrix-viewer-key-0123456789";
    private static final int SEARCH_BURST = 6;

    enum Caller {
        NO_KEY,
        WRONG_KEY,
        EXPIRED,
        REVOKED,
        VIEWER,
        OPERATOR,
        ADMIN
    }

    /** What an allowed caller sends to a route, and what it must get. */
    record Sample(String path, String contentType, String body, int allowed) {}

    private static final Map<String, Sample> SAMPLES = new LinkedHashMap<>();

    static {
        sample("GET /api/health", "/api/health", 200);
        sample("GET /metrics", "/metrics", 200);
        sample("GET /openapi.yaml", "/openapi.yaml", 200);
        sample("GET /", "/", 200);
        sample("POST /api/session", "/api/session", 201);
        sample("GET /api/session", "/api/session", 200);
        sample("DELETE /api/session", "/api/session", 204);
        sample("GET /api/keys", "/api/keys", 200);
        SAMPLES.put("POST /api/keys", new Sample("/api/keys", "application/json", "{}", 400));
        SAMPLES.put(
                "PUT /api/keys/:name/expiry",
                new Sample("/api/keys/matrix-none/expiry", "application/json", "{\"expires_in\":\"1h\"}", 404));
        sample("POST /api/keys/:name/revoke", "/api/keys/matrix-none/revoke", 404);
        sample("GET /api/galleries", "/api/galleries", 200);
        SAMPLES.put("POST /api/galleries", new Sample("/api/galleries", "application/json", "{}", 400));
        sample("DELETE /api/galleries/:gallery", "/api/galleries/matrix-none", 404);
        SAMPLES.put(
                "PUT /api/galleries/:gallery/threshold",
                new Sample(
                        "/api/galleries/matrix-none/threshold",
                        "application/json",
                        "{\"model\":\"mobilefacenet:1\",\"threshold\":0.5}",
                        404));
        sample("GET /api/galleries/:gallery/subjects", "/api/galleries/matrix-none/subjects", 404);
        SAMPLES.put(
                "POST /api/galleries/:gallery/subjects",
                new Sample("/api/galleries/matrix-none/subjects", "multipart/form-data; boundary=x", "--x--\r\n", 400));
        sample("DELETE /api/galleries/:gallery/subjects/:subject", "/api/galleries/matrix-none/subjects/nobody", 404);
        sample(
                "GET /api/galleries/:gallery/subjects/:subject/media/:media/crop",
                "/api/galleries/matrix-none/subjects/nobody/media/still-1/crop",
                404);
        SAMPLES.put("POST /api/search", new Sample("/api/search", "multipart/form-data; boundary=x", "--x--\r\n", 400));
        SAMPLES.put("POST /api/verify", new Sample("/api/verify", "multipart/form-data; boundary=x", "--x--\r\n", 400));
        sample("GET /api/matches", "/api/matches?limit=5", 200);
        sample("GET /api/history", "/api/history?limit=5&decision=HIT", 200);
        sample("GET /api/tracks/:camera/:track", "/api/tracks/nocam/1", 404);
        sample("GET /api/tracks/:camera/:track/elsewhere", "/api/tracks/nocam/1/elsewhere", 404);
        // an offset no recent match names as its best face (other tests on the same broker make matches)
        sample("GET /api/faces/:partition/:offset/crop", "/api/faces/0/9000000000000000000/crop", 404);
        sample("GET /api/cameras", "/api/cameras", 200);
        // no source: refused as malformed once the caller may write cameras
        SAMPLES.put("PUT /api/cameras/:camera", new Sample("/api/cameras/matrix-none", "application/json", "{}", 400));
        sample("DELETE /api/cameras/:camera", "/api/cameras/matrix-none", 404);
        sample("POST /api/cameras/:camera/pause", "/api/cameras/matrix-none/pause", 404);
        sample("POST /api/cameras/:camera/resume", "/api/cameras/matrix-none/resume", 404);
        sample("GET /api/cameras/:camera/snapshot", "/api/cameras/matrix-none/snapshot", 404);
        sample("GET /api/status", "/api/status", 200);
        SAMPLES.put("POST /api/feedback", new Sample("/api/feedback", "application/json", "{}", 400));
        sample("GET /api/review", "/api/review?band=0.1", 200);
        SAMPLES.put(
                "POST /api/tracks/:camera/:track/enrol",
                new Sample("/api/tracks/nocam/1/enrol", "application/json", "{\"subject_id\":\"x\"}", 404));
        sample(
                "GET /api/galleries/:gallery/threshold/suggestion",
                "/api/galleries/matrix-none/threshold/suggestion?model=mobilefacenet:1",
                404);
        SAMPLES.put(
                "POST /api/galleries/:gallery/threshold/suggestion/apply",
                new Sample(
                        "/api/galleries/matrix-none/threshold/suggestion/apply",
                        "application/json",
                        "{\"model\":\"mobilefacenet:1\"}",
                        404));
        sample("GET /api/live", "/api/live?camera=nocam", 200);
        sample("GET /api/live/ws", "/api/live/ws?camera=nocam", 101);
    }

    private static void sample(String route, String path, int allowed) {
        SAMPLES.put(route, new Sample(path, null, null, allowed));
    }

    /** Strings that try to leave a name: each in any path parameter must be 400. */
    private static final List<String> TRAVERSAL = List.of(
            "..",
            "%2e%2e",
            "%2E%2E",
            ".%2e",
            "%2e",
            "..%2f..%2fetc%2fpasswd",
            "..%5c..%5cwindows%5cwin.ini",
            "a%2fb",
            "%00",
            "x%00.jpg",
            "%2e%2e%2f%2e%2e%2fetc",
            "..%c0%af");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Map<Caller, String> secrets = new HashMap<>();
    private MatchService service;
    private MatchService fullDisk;
    private HttpClient http;
    private Path dir;
    private JsonNode doc;
    private String bootstrap;
    private int refusals;

    @BeforeAll
    void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        this.bootstrap = bootstrap;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        dir = Path.of("target", "matrix-test", run).toAbsolutePath();
        TestCerts.Pem pem = TestCerts.selfSigned(dir.resolve("tls"));
        http = HttpClient.newBuilder()
                .sslContext(pem.trust())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        Map<String, Object> o = base("matrix");
        o.put("api.tls.cert", pem.cert().toString());
        o.put("api.tls.key", pem.key().toString());
        o.put("api.keys.root.sha256", KeyHash.sha256Hex(ADMIN)); // a key configured by its hash only
        o.put("api.keys.root.role", "admin");
        o.put("api.keys.desk.key", OPERATOR);
        o.put("api.keys.desk.role", "operator");
        o.put("api.keys.wall.key", VIEWER);
        o.put("api.keys.wall.role", "viewer");
        for (String c : List.of("read", "face", "write", "live", "auth-failures")) {
            o.put("api.rate-limit." + c + ".per-minute", 100_000);
            o.put("api.rate-limit." + c + ".burst", 100_000);
        }
        o.put("api.rate-limit.search.per-minute", 1);
        o.put("api.rate-limit.search.burst", SEARCH_BURST);
        service =
                MatchService.start(FacestreamConfig.builder().isolated().build().with(o), bootstrap);
        service.awaitRunning(Duration.ofSeconds(60));
        doc = Json.yaml().readTree(OpenApiLintTest.document());

        secrets.put(Caller.WRONG_KEY, "wrong-key-0123456789abcdef");
        secrets.put(Caller.VIEWER, VIEWER);
        secrets.put(Caller.OPERATOR, OPERATOR);
        secrets.put(Caller.ADMIN, ADMIN);
        secrets.put(Caller.EXPIRED, createKey("matrix-expired-" + run, "viewer"));
        secrets.put(Caller.REVOKED, createKey("matrix-revoked-" + run, "admin"));
        HttpResponse<String> expired = send(
                "PUT",
                "/api/keys/matrix-expired-" + run + "/expiry",
                Caller.ADMIN,
                "application/json",
                "{\"expires_in\":\"0s\"}");
        assertEquals(200, expired.statusCode(), expired.body());
        assertEquals(
                "expired", Json.mapper().readTree(expired.body()).get("state").asText());
        HttpResponse<String> revoked =
                send("POST", "/api/keys/matrix-revoked-" + run + "/revoke", Caller.ADMIN, null, null);
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals(
                "revoked", Json.mapper().readTree(revoked.body()).get("state").asText());
    }

    private Map<String, Object> base(String name) {
        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.audit-log", dir.resolve(name + "-audit.log").toString());
        o.put("api.key-store", dir.resolve(name + "-keys.json").toString());
        o.put("api.key-file", dir.resolve(name + "-admin.key").toString());
        o.put("api.upload-dir", dir.resolve(name + "-uploads").toString());
        o.put("gallery.index-dir", dir.resolve(name + "-gallery").toString());
        o.put("match.state-dir", dir.resolve(name + "-streams").toString());
        o.put("match.application-id", name + "-test-" + run);
        o.put("match.gallery", "watch-" + run);
        return o;
    }

    @AfterAll
    void stop() {
        if (fullDisk != null) {
            fullDisk.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private String base() {
        return service.apiUrl().replaceAll("/$", "");
    }

    private String createKey(String name, String role) throws Exception {
        HttpResponse<String> r = send(
                "POST",
                "/api/keys",
                Caller.ADMIN,
                "application/json",
                "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"expires_in\":\"1d\"}");
        assertEquals(201, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body()).get("secret").asText();
    }

    private HttpRequest.Builder request(String method, String path, String secret, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            b.header("Authorization", "Bearer " + secret);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return b;
    }

    private HttpResponse<String> send(String method, String path, Caller caller, String contentType, String body)
            throws Exception {
        return http.send(
                request(method, path, secrets.get(caller), contentType, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Status of one request; a stream's status once its headers are in, a WebSocket's handshake status. */
    private int status(String method, Sample s, String secret) throws Exception {
        if (s.allowed() == 101) {
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (secret != null) {
                b.header("Authorization", "Bearer " + secret);
            }
            try {
                WebSocket ws = b.buildAsync(
                                URI.create(base().replaceFirst("^http", "ws") + s.path()), new WebSocket.Listener() {})
                        .get(30, TimeUnit.SECONDS);
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
                return 101;
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException h) {
                    return h.getResponse().statusCode();
                }
                throw e;
            }
        }
        if (s.path().startsWith("/api/live")) {
            HttpResponse<InputStream> r = http.sendAsync(
                            request(method, s.path(), secret, s.contentType(), s.body())
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream())
                    .get(30, TimeUnit.SECONDS);
            r.body().close();
            return r.statusCode();
        }
        HttpResponse<String> r = http.send(
                request(method, s.path(), secret, s.contentType(), s.body()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(
                r.headers().firstValue("X-Content-Type-Options").orElse("").equals("nosniff"),
                "nosniff on " + s.path());
        assertTrue(r.headers().firstValue("Strict-Transport-Security").isPresent(), "HSTS over TLS on " + s.path());
        if (r.statusCode() >= 400) {
            assertTrue(r.body().startsWith("{\"error\""), "a JSON error: " + r.body());
            assertFalse(r.body().contains("Exception"), "no exception in the answer: " + r.body());
        }
        return r.statusCode();
    }

    private JsonNode operation(RouteSpec route) {
        String path = route.path().equals("/*") ? "/" : route.openApiPath();
        JsonNode op = doc.path("paths").path(path).path(route.method().name().toLowerCase());
        if (op.isMissingNode()) {
            fail(route.name() + " is routed but not in the OpenAPI document");
        }
        return op;
    }

    private List<RouteSpec> routes() {
        List<RouteSpec> all = new ArrayList<>(service.routes());
        all.add(new RouteSpec(
                io.vertx.core.http.HttpMethod.GET, "/", null, null, null, RouteSpec.Body.NONE)); // the page
        return all;
    }

    private static int expected(RouteSpec route, Caller caller, Sample s) {
        if (route.isPublic()) {
            return s.allowed();
        }
        return switch (caller) {
            case NO_KEY, WRONG_KEY, EXPIRED, REVOKED -> 401;
            case VIEWER, OPERATOR, ADMIN ->
                io.facestream.match.api.auth.Role.valueOf(caller.name()).allows(route.role()) ? s.allowed() : 403;
        };
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyRouteWithEveryKindOfCaller() {
        List<RouteSpec> routes = routes();
        Set<String> unsampled = new TreeSet<>();
        routes.forEach(r -> {
            if (!SAMPLES.containsKey(r.name())) {
                unsampled.add(r.name());
            }
        });
        assertEquals(Set.of(), unsampled, "routes without a sample request in this test: add one");
        List<DynamicTest> tests = new ArrayList<>();
        for (RouteSpec route : routes) {
            JsonNode op = operation(route);
            String role = route.isPublic() ? "public" : route.role().name().toLowerCase();
            tests.add(DynamicTest.dynamicTest(route.name() + " is documented with role " + role, () -> {
                assertEquals(role, op.path("x-facestream-role").asText(), route.name() + ": x-facestream-role");
                if (!route.isPublic()) {
                    assertEquals(
                            route.routeClass().configName(),
                            op.path("x-facestream-rate-class").asText(),
                            route.name() + ": x-facestream-rate-class");
                    assertFalse(
                            op.has("security"),
                            route.name() + " needs a key, so it must not be documented with security: []");
                } else {
                    assertTrue(
                            op.path("security").isArray() && op.path("security").isEmpty(),
                            route.name() + " is public");
                }
            }));
            for (Caller caller : Caller.values()) {
                Sample s = SAMPLES.get(route.name());
                int want = expected(route, caller, s);
                tests.add(DynamicTest.dynamicTest(route.name() + " as " + caller + " -> " + want, () -> {
                    assertTrue(
                            op.path("responses").has(Integer.toString(want)),
                            route.name() + ": " + want + " is not documented");
                    int got = status(route.method().name(), s, secrets.get(caller));
                    assertEquals(want, got, route.name() + " as " + caller);
                    if (got == 401 || got == 403) {
                        refusals++;
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> pathTraversalStringsAreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (RouteSpec route : routes()) {
            Sample s = SAMPLES.get(route.name());
            List<String> params = new ArrayList<>();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile(":([A-Za-z_]+)").matcher(route.path());
            while (m.find()) {
                params.add(m.group(1));
            }
            String[] template = route.path().split("/");
            String[] actual = s.path().replaceAll("\\?.*", "").split("/");
            for (int i = 0; i < template.length; i++) {
                if (!template[i].startsWith(":")) {
                    continue;
                }
                int segment = i;
                for (String bad : TRAVERSAL) {
                    String[] parts = actual.clone();
                    parts[segment] = bad;
                    String path = String.join("/", parts);
                    for (Caller caller : List.of(Caller.ADMIN, Caller.NO_KEY)) {
                        tests.add(DynamicTest.dynamicTest(
                                route.method() + " " + path + " as " + caller + " -> 400", () -> {
                                    HttpResponse<String> r = http.send(
                                            request(route.method().name(), path, secrets.get(caller), null, null)
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString());
                                    assertEquals(400, r.statusCode(), path + ": " + r.body());
                                }));
                    }
                }
            }
        }
        for (String raw : List.of(
                "/..%2f..%2fetc%2fpasswd",
                "/api/%2e%2e/keys", "/style.css/../../etc/passwd", "/api/galleries/%2e%2e/subjects")) {
            tests.add(DynamicTest.dynamicTest("GET " + raw + " -> 400", () -> {
                HttpResponse<String> r =
                        http.send(request("GET", raw, ADMIN, null, null).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), raw + ": " + r.body());
            }));
        }
        return tests.stream();
    }

    @Test
    @Order(3)
    void anUnauthenticatedUploadIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path uploads = dir.resolve("matrix-uploads");
        Files.createDirectories(uploads);
        byte[] eightMiB = new byte[8 * 1024 * 1024];
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            WatchKey key =
                    uploads.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            for (String path : List.of("/api/search", "/api/verify", "/api/galleries/matrix-none/subjects")) {
                for (Caller caller : List.of(Caller.NO_KEY, Caller.WRONG_KEY)) {
                    Multipart form =
                            new Multipart().field("subject_id", "alice").file("image", "big.jpg", eightMiB);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", form.contentType())
                            .POST(HttpRequest.BodyPublishers.ofByteArray(form.body()));
                    if (secrets.get(caller) != null) {
                        b.header("X-Api-Key", secrets.get(caller));
                    }
                    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(401, r.statusCode(), path + " as " + caller + ": " + r.body());
                }
            }
            Thread.sleep(200);
            List<String> events = new ArrayList<>();
            key.pollEvents().forEach(e -> events.add(e.kind() + " " + e.context()));
            assertEquals(List.of(), events, "the upload folder was written to");
        }
        try (Stream<Path> files = Files.walk(uploads)) {
            assertEquals(List.of(uploads), files.toList());
        }
        // the same upload with a key is read, and refused for its size
        Multipart big = new Multipart().file("image", "big.jpg", eightMiB);
        HttpResponse<String> tooLarge = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/search"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", big.contentType())
                        .header("X-Api-Key", VIEWER)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(big.body()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
    }

    @Test
    @Order(4)
    void aKeysRateLimitAnswers429WithRetryAfter() throws Exception {
        String secret = createKey("matrix-rate-" + run, "viewer");
        for (int i = 0; i < SEARCH_BURST; i++) {
            HttpResponse<String> r = http.send(
                    request("POST", "/api/search", secret, "multipart/form-data; boundary=x", "--x--\r\n")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), "search " + (i + 1) + " is within the burst: " + r.body());
        }
        HttpResponse<String> limited = http.send(
                request("POST", "/api/search", secret, "multipart/form-data; boundary=x", "--x--\r\n")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode(), limited.body());
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertTrue(limited.body().contains("api.rate-limit.search"), limited.body());
        // other route classes of the same key are not limited by it
        assertEquals(
                200,
                http.send(
                                request("GET", "/api/matches", secret, null, null)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    @Test
    @Order(5)
    void aKeyInTheUrlIsRefusedPointingToTheHeader() throws Exception {
        for (String secret : new String[] {null, VIEWER}) {
            HttpResponse<String> r = http.send(
                    request("GET", "/api/matches?key=" + VIEWER, secret, null, null)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains("Authorization: Bearer") && r.body().contains("POST /api/session"), r.body());
        }
    }

    @Test
    @Order(6)
    void securityHeadersAreOnThePageAndTheApi() throws Exception {
        HttpResponse<String> page =
                http.send(request("GET", "/", null, null, null).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        var h = page.headers();
        assertEquals(
                SecurityHeaders.CSP, h.firstValue("Content-Security-Policy").orElse(""));
        assertEquals("DENY", h.firstValue("X-Frame-Options").orElse(""));
        assertEquals("nosniff", h.firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(
                SecurityHeaders.HSTS, h.firstValue("Strict-Transport-Security").orElse(""));
        assertFalse(
                page.body().contains("<script>") || page.body().contains(" style="),
                "no inline script or style: the CSP forbids them");
        HttpResponse<String> api = send("GET", "/api/matches", Caller.VIEWER, null, null);
        assertEquals("no-store", api.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("DENY", api.headers().firstValue("X-Frame-Options").orElse(""));
    }

    @Test
    @Order(7)
    void keysAreMadeListedExpiredAndRevokedWithoutRestart() throws Exception {
        String name = "matrix-new-" + run;
        HttpResponse<String> made = send(
                "POST",
                "/api/keys",
                Caller.ADMIN,
                "application/json",
                "{\"name\":\"" + name + "\",\"role\":\"operator\",\"expires_in\":\"30d\"}");
        assertEquals(201, made.statusCode(), made.body());
        String secret = Json.mapper().readTree(made.body()).get("secret").asText();
        assertTrue(secret.startsWith("fs_") && secret.length() >= 40, secret);
        assertEquals(
                409,
                send(
                                "POST",
                                "/api/keys",
                                Caller.ADMIN,
                                "application/json",
                                "{\"name\":\"" + name + "\",\"role\":\"viewer\"}")
                        .statusCode(),
                "a name is taken once");
        assertEquals(
                200,
                http.send(
                                request("GET", "/api/matches", secret, null, null)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());

        String list = send("GET", "/api/keys", Caller.ADMIN, null, null).body();
        assertTrue(list.contains("\"" + name + "\""), list);
        assertFalse(
                list.contains(secret) || list.contains("\"secret\"") || list.contains(ADMIN) || list.contains(VIEWER),
                "no secret is listed");
        Path store = dir.resolve("matrix-keys.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        String stored = Files.readString(store);
        assertFalse(stored.contains(secret), "the store keeps no secret");
        assertTrue(stored.contains(KeyHash.sha256Hex(secret)), "the store keeps the hash");

        HttpResponse<String> soon = send(
                "PUT", "/api/keys/" + name + "/expiry", Caller.ADMIN, "application/json", "{\"expires_in\":\"0s\"}");
        assertEquals(200, soon.statusCode(), soon.body());
        HttpResponse<String> gone = http.send(
                request("GET", "/api/matches", secret, null, null).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, gone.statusCode());
        assertTrue(gone.body().contains("expired"), gone.body());
        assertEquals(
                200,
                send("POST", "/api/keys/" + name + "/revoke", Caller.ADMIN, null, null)
                        .statusCode());
        HttpResponse<String> revoked = http.send(
                request("GET", "/api/matches", secret, null, null).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(revoked.body().contains("revoked"), revoked.body());
        assertEquals(
                400,
                send("POST", "/api/keys", Caller.ADMIN, "application/json", "{\"name\":\"../x\",\"role\":\"viewer\"}")
                        .statusCode());
    }

    @Test
    @Order(8)
    void thePageSessionIsAnHttpOnlyCookieThatEndsWithItsKey() throws Exception {
        String name = "matrix-page-" + run;
        String secret = createKey(name, "operator");
        HttpResponse<String> login = http.send(
                request("POST", "/api/session", secret, null, null).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, login.statusCode(), login.body());
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        for (String attribute : List.of("httponly", "samesite=strict", "secure", "path=/api", "max-age=")) {
            assertTrue(setCookie.toLowerCase(java.util.Locale.ROOT).contains(attribute), setCookie);
        }
        assertFalse(setCookie.contains(secret), "the cookie is a signed token, not the key");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpRequest.Builder withCookie =
                HttpRequest.newBuilder(URI.create(base() + "/api/matches")).header("Cookie", cookie);
        assertEquals(
                200,
                http.send(withCookie.build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());

        HttpRequest.Builder change = HttpRequest.newBuilder(URI.create(base() + "/api/feedback"))
                .header("Cookie", cookie)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        HttpResponse<String> crossSite = http.send(change.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(
                403,
                crossSite.statusCode(),
                "a change with the cookie but without the page's header: " + crossSite.body());
        assertEquals(
                400,
                http.send(change.header("X-Facestream-Page", "1").build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode(),
                "with the header it reaches the route (and its empty body is refused)");

        assertEquals(
                200,
                send("POST", "/api/keys/" + name + "/revoke", Caller.ADMIN, null, null)
                        .statusCode());
        HttpResponse<String> afterRevoke = http.send(withCookie.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, afterRevoke.statusCode(), "the session of a revoked key: " + afterRevoke.body());

        HttpResponse<String> second = http.send(
                request("POST", "/api/session", VIEWER, null, null).build(), HttpResponse.BodyHandlers.ofString());
        String cookie2 = second.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> logout = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/session"))
                        .header("Cookie", cookie2)
                        .header("X-Facestream-Page", "1")
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, logout.statusCode(), logout.body());
        assertEquals(
                401,
                http.send(
                                HttpRequest.newBuilder(URI.create(base() + "/api/matches"))
                                        .header("Cookie", cookie2)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode(),
                "logged out");
    }

    @Test
    @Order(9)
    void theAuditLogHasEveryRefusalAndEveryReadOfFaceDataAndItsChainHolds() throws Exception {
        Path file = dir.resolve("matrix-audit.log");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            lines.add(Json.mapper().readTree(l));
        }
        long refused = lines.stream()
                .filter(l -> l.path("outcome").asText().equals("refused"))
                .count();
        assertTrue(refused >= refusals, refused + " refusals audited, " + refusals + " made in the matrix alone");
        for (JsonNode l : lines) {
            assertEquals("127.0.0.1", l.path("client").asText(), l.toString());
            assertTrue(l.path("route").asText().matches("(GET|POST|PUT|DELETE) /.*"), l.toString());
            assertTrue(l.has("outcome") && l.has("action"), l.toString());
        }
        Set<String> statuses = new TreeSet<>();
        lines.stream()
                .filter(l -> l.path("outcome").asText().equals("refused"))
                .forEach(l -> statuses.add(l.path("status").asText()));
        assertEquals(Set.of("401", "403", "429"), statuses);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.path("status").asInt() == 401
                                && l.path("principal").asText().startsWith("matrix-expired")),
                "a refused expired key is named");
        Set<String> faceData = new TreeSet<>();
        lines.stream()
                .filter(l -> !l.path("outcome").asText().equals("refused"))
                .forEach(l -> faceData.add(l.path("action").asText()));
        for (String action : List.of(
                "search",
                "verify",
                "gallery.crop",
                "face.crop",
                "matches.read",
                "track.read",
                "live.sse",
                "live.ws",
                "subjects.list",
                "key.create",
                "key.revoke",
                "key.expire")) {
            assertTrue(faceData.contains(action), action + " is audited: " + faceData);
        }
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.path("action").asText().equals("key.create")
                                && l.path("outcome").asText().equals("attempt")),
                "a change's line is written before it is made");
        AuditChain.Report report = AuditChain.verify(file, service.audit().head());
        assertTrue(report.intact(), report.problem());
        assertEquals(service.audit().lines(), report.lines());
        assertFalse(Files.readString(file).contains(VIEWER), "no secret in the audit log");
    }

    @Test
    @Order(10)
    void aChangeWhoseAuditLineCannotBeWrittenIsNotMade() throws Exception {
        Path full = Path.of("/dev/full");
        assertTrue(Files.exists(full), "/dev/full stands in for a full disk");
        Map<String, Object> o = base("full");
        o.put("api.audit-log", full.toString());
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        fullDisk =
                MatchService.start(FacestreamConfig.builder().isolated().build().with(o), bootstrap);
        HttpClient plain = HttpClient.newHttpClient();
        String url = fullDisk.apiUrl() + "api/galleries";
        HttpResponse<String> refused = plain.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + ADMIN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"full-" + run + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("audit log cannot be written"), refused.body());
        HttpResponse<String> read = plain.send(
                HttpRequest.newBuilder(URI.create(fullDisk.apiUrl() + "api/matches"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, read.statusCode(), "face data is not sent without its audit line: " + read.body());
        // a gallery made afterwards through the working service is applied after anything published before it
        assertEquals(
                201,
                send("POST", "/api/galleries", Caller.ADMIN, "application/json", "{\"name\":\"after-" + run + "\"}")
                        .statusCode());
        String galleries =
                send("GET", "/api/galleries", Caller.ADMIN, null, null).body();
        assertTrue(galleries.contains("after-" + run), galleries);
        assertFalse(galleries.contains("full-" + run), "the change without its audit line was published: " + galleries);
    }
}

package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.vector.Vectors;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.audit.AuditException;
import io.facestream.match.api.auth.ApiKeys;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.api.faces.FaceReader;
import io.facestream.match.api.faces.ReadFace;
import io.facestream.match.decide.FpirCalibration;
import io.facestream.match.decide.OpenSetDecision;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.gallery.IndexedGallery;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: galleries, subjects, search, verify (this class), matches, tracks, cameras, feedback, live
 * ({@link MatchRoutes}), keys and the page's session ({@link KeyRoutes}). Every request first passes
 * {@link PathCheck} and gets the {@link SecurityHeaders}; every route that is not public is behind the {@link Guard}
 * (key or session, role, rate limit) and in the audit log. Blocking work (ONNX, Lucene, Kafka) runs on worker
 * threads, never on the event loop.
 */
public final class ApiRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

    private final GalleryAdmin galleries;
    private final FaceReader faces;
    private final Guard guard;
    private final ApiLimits limits;
    private final boolean tls;
    private List<RouteSpec> routes = List.of();

    private io.facestream.core.health.HealthRegistry health = new io.facestream.core.health.HealthRegistry();

    /** What {@code GET /api/health} reports: this service's components (the default reports none, i.e. UP). */
    public ApiRouter withHealth(io.facestream.core.health.HealthRegistry health) {
        this.health = health;
        return this;
    }

    /**
     * @param tls whether the server speaks TLS: the session cookie is then {@code Secure} and HSTS is sent
     */
    public ApiRouter(GalleryAdmin galleries, FaceReader faces, Guard guard, ApiLimits limits, boolean tls) {
        this.galleries = galleries;
        this.faces = faces;
        this.guard = guard;
        this.limits = limits;
        this.tls = tls;
    }

    /** Every route of the built router with its role, rate-limit class and audit action. */
    public List<RouteSpec> routes() {
        return routes;
    }

    public Router build(Vertx vertx, MatchRoutes matches) {
        Router r = Router.router(vertx);
        r.route().handler(PathCheck::handle);
        r.route().handler(new SecurityHeaders(tls)::handle);
        Routes routes = new Routes(r, guard, limits);

        routes.open(HttpMethod.GET, "/api/health", ctx -> {
            var report = health.report();
            Replies.json(ctx, report.ready() ? 200 : 503, report.toJson(true));
        });
        routes.open(
                HttpMethod.GET,
                "/metrics",
                ctx -> ctx.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4")
                        .end(Metrics.scrape()));
        routes.open(
                HttpMethod.GET,
                "/openapi.yaml",
                ctx -> ctx.response()
                        .putHeader("Content-Type", "application/yaml")
                        .end(resource("api/openapi.yaml")));

        routes.add(
                HttpMethod.GET,
                "/api/galleries",
                Role.VIEWER,
                RouteClass.READ,
                "galleries.list",
                Body.NONE,
                ctx -> blocking(ctx, galleries::list, v -> Replies.json(ctx, v)));
        routes.add(
                HttpMethod.POST,
                "/api/galleries",
                Role.ADMIN,
                RouteClass.WRITE,
                "gallery.create",
                Body.JSON,
                this::createGallery);
        routes.add(
                HttpMethod.DELETE,
                "/api/galleries/:gallery",
                Role.ADMIN,
                RouteClass.WRITE,
                "gallery.delete",
                Body.NONE,
                this::deleteGallery);
        routes.add(
                HttpMethod.PUT,
                "/api/galleries/:gallery/threshold",
                Role.ADMIN,
                RouteClass.WRITE,
                "gallery.threshold",
                Body.JSON,
                this::setThreshold);
        routes.add(
                HttpMethod.GET,
                "/api/galleries/:gallery/subjects",
                Role.VIEWER,
                RouteClass.READ,
                "subjects.list",
                Body.NONE,
                ctx -> blocking(ctx, () -> galleries.subjects(ctx.pathParam("gallery")), v -> Replies.json(ctx, v)));
        routes.add(
                HttpMethod.POST,
                "/api/galleries/:gallery/subjects",
                Role.OPERATOR,
                RouteClass.WRITE,
                "subject.enrol",
                Body.MULTIPART,
                this::enrol);
        routes.add(
                HttpMethod.DELETE,
                "/api/galleries/:gallery/subjects/:subject",
                Role.OPERATOR,
                RouteClass.WRITE,
                "subject.delete",
                Body.NONE,
                this::deleteSubject);
        routes.add(
                HttpMethod.GET,
                "/api/galleries/:gallery/subjects/:subject/media/:media/crop",
                Role.VIEWER,
                RouteClass.FACE,
                "gallery.crop",
                Body.NONE,
                ctx -> blocking(
                        ctx,
                        () -> galleries.crop(
                                ctx.pathParam("gallery"), ctx.pathParam("subject"), ctx.pathParam("media")),
                        b -> Replies.jpeg(ctx, b)));
        routes.add(
                HttpMethod.POST, "/api/search", Role.VIEWER, RouteClass.SEARCH, "search", Body.MULTIPART, this::search);
        routes.add(
                HttpMethod.POST, "/api/verify", Role.VIEWER, RouteClass.SEARCH, "verify", Body.MULTIPART, this::verify);

        matches.mount(routes);
        new KeyRoutes(guard.keys(), guard.sessions(), tls).mount(routes);

        r.route("/*")
                .method(HttpMethod.GET)
                .handler(StaticHandler.create("web").setCachingEnabled(false).setIndexPage("index.html"));
        r.route().failureHandler(ApiRouter::failure);
        this.routes = routes.specs();
        return r;
    }

    static void failure(RoutingContext ctx) {
        Throwable f = ctx.failure();
        if (f == null) {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            Replies.error(
                    ctx,
                    status,
                    status == 413
                            ? "upload too large (limit: api.max-upload-bytes)"
                            : status == 404
                                    ? "no such route: " + ctx.request().method() + " "
                                            + ctx.request().path()
                                    : "request failed with status " + status);
            return;
        }
        if (f instanceof java.util.concurrent.CompletionException && f.getCause() != null) {
            f = f.getCause();
        }
        if (Boolean.TRUE.equals(ctx.get(Routes.DECODING_BODY))
                && !(f instanceof IOException)
                && !(f instanceof io.vertx.core.file.FileSystemException)) {
            Replies.error(ctx, 400, "the request body could not be decoded: " + f);
            return;
        }
        switch (f) {
            case ApiError e -> Replies.error(ctx, e.status(), e.getMessage());
            case GalleryInputException e -> Replies.error(ctx, 400, e.getMessage());
            case ApiKeys.UnknownKey e -> Replies.error(ctx, 404, e.getMessage());
            case ApiKeys.KeyConflict e -> Replies.error(ctx, 409, e.getMessage());
            case AuditException e -> {
                LOG.error(
                        "{} {} refused: {}",
                        ctx.request().method(),
                        ctx.request().path(),
                        e.getMessage());
                Replies.error(
                        ctx, 503, "the audit log cannot be written, so the change was not made (see the service log)");
            }
            case IllegalArgumentException e -> Replies.error(ctx, 400, e.getMessage());
            default -> {
                String id = HexFormat.of()
                        .formatHex(java.nio.ByteBuffer.allocate(6)
                                .putShort((short) ThreadLocalRandom.current().nextInt())
                                .putInt(ThreadLocalRandom.current().nextInt())
                                .array());
                LOG.error(
                        "error {}: {} {} failed",
                        id,
                        ctx.request().method(),
                        ctx.request().path(),
                        f);
                Replies.error(
                        ctx, 500, "internal error " + id + ": the details are in the service log under this id", id);
            }
        }
    }

    /** Writes the change's audit line; a gallery change runs it just before publishing. */
    static Runnable beforeChange(RoutingContext ctx) {
        Access a = Access.of(ctx);
        return a::beforeChange;
    }

    static <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> reply) {
        ctx.vertx().executeBlocking(work, false).onSuccess(reply::accept).onFailure(ctx::fail);
    }

    static JsonNode jsonBody(RoutingContext ctx) {
        // an empty body has no buffer at all (length -1), not an empty one
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
            throw ApiError.badRequest("request body is empty; expected a JSON object");
        }
        try {
            JsonNode n = Json.mapper().readTree(ctx.body().buffer().getBytes());
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("request body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiError.badRequest("request body is not valid JSON: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                            ? j.getOriginalMessage()
                            : e.getMessage()));
        }
    }

    static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiError.badRequest("field '" + field + "' is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.badRequest("field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static String resource(String name) {
        try (InputStream in = ApiRouter.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the match-service jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void createGallery(RoutingContext ctx) {
        JsonNode b = jsonBody(ctx);
        String name = text(b, "name", true);
        String kind = text(b, "kind", false);
        blocking(
                ctx,
                () -> {
                    return galleries.create(name, kind, beforeChange(ctx));
                },
                g -> Replies.json(ctx, 201, g));
    }

    private void deleteGallery(RoutingContext ctx) {
        String name = ctx.pathParam("gallery");
        blocking(
                ctx,
                () -> {
                    galleries.delete(name, beforeChange(ctx));
                    return name;
                },
                n -> Replies.noContent(ctx));
    }

    private void setThreshold(RoutingContext ctx) {
        JsonNode b = jsonBody(ctx);
        String model = text(b, "model", false);
        if (model == null && !faces.model().contains(":")) {
            throw ApiError.badRequest(
                    "field 'model' (name:version) is required until the face pipeline has been opened");
        }
        String space = model == null ? faces.model() : ModelVersion.parse(model).toString();
        OpenSetThreshold t;
        if (b.has("threshold")) {
            if (!b.get("threshold").isNumber()) {
                throw ApiError.badRequest("field 'threshold' must be a number (a cosine in [-1, 1])");
            }
            t = OpenSetThreshold.manual(b.get("threshold").asDouble());
        } else if (b.has("target_fpir") && b.has("non_mated_scores")) {
            JsonNode scores = b.get("non_mated_scores");
            if (!scores.isArray() || !b.get("target_fpir").isNumber()) {
                throw ApiError.badRequest("'target_fpir' must be a number and 'non_mated_scores' an array of numbers");
            }
            double[] s = new double[scores.size()];
            for (int i = 0; i < s.length; i++) {
                if (!scores.get(i).isNumber()) {
                    throw ApiError.badRequest("non_mated_scores[" + i + "] is not a number");
                }
                s[i] = scores.get(i).asDouble();
            }
            t = FpirCalibration.calibrate(s, b.get("target_fpir").asDouble());
        } else {
            throw ApiError.badRequest(
                    "send either {\"threshold\": x} or {\"target_fpir\": f, \"non_mated_scores\": [...]}");
        }
        String gallery = ctx.pathParam("gallery");
        OpenSetThreshold chosen = t;
        Access.of(ctx)
                .detail("model", space)
                .detail("threshold", chosen.value())
                .detail("source", chosen.source());
        blocking(
                ctx,
                () -> {
                    galleries.setThreshold(gallery, space, chosen, beforeChange(ctx));
                    return chosen;
                },
                v -> Replies.json(ctx, thresholdJson(gallery, space, v)));
    }

    static Map<String, Object> thresholdJson(String gallery, String model, OpenSetThreshold t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gallery", gallery);
        m.put("model", model);
        m.put("threshold", t.value());
        m.put("source", t.source());
        if (!Double.isNaN(t.targetFpir())) {
            m.put("target_fpir", t.targetFpir());
        }
        m.put("calibrated_on", t.calibratedOn());
        return m;
    }

    private List<byte[]> uploads(RoutingContext ctx, String field, int min, int max) {
        List<byte[]> out = new ArrayList<>();
        for (FileUpload u : ctx.fileUploads()) {
            if (!u.name().equals(field)) {
                continue;
            }
            try {
                out.add(Files.readAllBytes(Path.of(u.uploadedFileName())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (out.size() < min || out.size() > max) {
            throw ApiError.badRequest("expected " + (min == max ? min : min + " to " + max)
                    + " file(s) in multipart field '" + field + "', got " + out.size());
        }
        return out;
    }

    private void enrol(RoutingContext ctx) {
        String gallery = ctx.pathParam("gallery");
        String subject = ctx.request().getFormAttribute("subject_id");
        if (subject == null || subject.isBlank()) {
            throw ApiError.badRequest("multipart field 'subject_id' is required");
        }
        String display = ctx.request().getFormAttribute("display_name");
        List<byte[]> images = uploads(ctx, "image", 1, limits.maxImagesPerEnrolment());
        Access.of(ctx).detail("subject_id", subject).detail("images", images.size());
        blocking(
                ctx,
                () -> {
                    galleries.requireGallery(gallery);
                    List<ReadFace> read = new ArrayList<>();
                    for (int i = 0; i < images.size(); i++) {
                        read.add(faces.read(images.get(i), "image " + (i + 1) + " of subject " + subject));
                    }
                    // erasure verification: the SHA-256 of what is stored (the crops) and of what was uploaded, never
                    // the bytes;
                    // `facestream erasure verify` looks for them everywhere after the subject was deleted
                    // (docs/privacy.md)
                    Access.of(ctx)
                            .detail(
                                    "crop_sha256",
                                    read.stream().map(f -> sha256(f.cropJpeg())).toList())
                            .detail(
                                    "image_sha256",
                                    images.stream().map(ApiRouter::sha256).toList());
                    return galleries.enrol(
                            gallery, subject, display == null ? subject : display, read, beforeChange(ctx));
                },
                v -> Replies.json(ctx, 201, v));
    }

    private void deleteSubject(RoutingContext ctx) {
        String gallery = ctx.pathParam("gallery");
        String subject = ctx.pathParam("subject");
        blocking(
                ctx,
                () -> {
                    galleries.deleteSubject(gallery, subject, beforeChange(ctx));
                    return subject;
                },
                v -> Replies.noContent(ctx));
    }

    private void search(RoutingContext ctx) {
        byte[] image = uploads(ctx, "image", 1, 1).get(0);
        String only = ctx.request().getFormAttribute("gallery");
        int k = intParam(ctx.request().getFormAttribute("k"), 5, 1, 100, "k");
        blocking(
                ctx,
                () -> {
                    IndexedGallery g = galleries.gallery();
                    List<String> names = only == null || only.isBlank()
                            ? new ArrayList<>(new java.util.TreeSet<>(g.index().galleryNames()))
                            : List.of(only);
                    for (String n : names) {
                        galleries.requireGallery(n);
                    }
                    ReadFace f = faces.read(image, "search image");
                    float[] unit = Vectors.unit(f.raw());
                    List<Map<String, Object>> results = new ArrayList<>();
                    for (String n : names) {
                        List<Match.Candidate> c = g.search(n, f.model(), unit, k);
                        OpenSetThreshold t = g.threshold(n, f.model());
                        Map<String, Object> one = new LinkedHashMap<>();
                        one.put("gallery", n);
                        one.put("threshold", t.value());
                        one.put("decision", OpenSetDecision.decide(c, t));
                        one.put("candidates", c);
                        results.add(one);
                    }
                    Access.of(ctx).detail("galleries", names).detail("k", k);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("model", f.model());
                    out.put("faces_in_image", f.facesSeen());
                    out.put("results", results);
                    return out;
                },
                v -> Replies.json(ctx, v));
    }

    private void verify(RoutingContext ctx) {
        byte[] a = uploads(ctx, "a", 1, 1).get(0);
        byte[] b = uploads(ctx, "b", 1, 1).get(0);
        String gallery = ctx.request().getFormAttribute("gallery");
        blocking(
                ctx,
                () -> {
                    ReadFace fa = faces.read(a, "image a");
                    ReadFace fb = faces.read(b, "image b");
                    double score = Vectors.cosine(fa.raw(), fb.raw());
                    OpenSetThreshold t = gallery == null || gallery.isBlank()
                            ? galleries.gallery().threshold("", fa.model())
                            : galleries.gallery().threshold(gallery, fa.model());
                    Access.of(ctx)
                            .detail("gallery", gallery)
                            .detail("threshold", t.value())
                            .detail("score", score);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("model", fa.model());
                    out.put("score", score);
                    out.put("threshold", t.value());
                    out.put("same_person", score >= t.value());
                    return out;
                },
                v -> Replies.json(ctx, v));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    static int intParam(String text, int fallback, int min, int max, String name) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min || v > max) {
                throw ApiError.badRequest(name + " = " + v + " must be in " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " = '" + text + "' is not an integer");
        }
    }
}

package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.vector.Vectors;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.Role;
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
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: galleries, subjects, search, verify (this class) and matches, tracks, cameras, feedback, live
 * ({@link MatchRoutes}). Every route that reads faces or changes a gallery is behind a {@link Guard}. Blocking work
 * (ONNX, Lucene, Kafka) runs on worker threads, never on the event loop.
 */
public final class ApiRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
    /** Set on a request while its body handler runs. */
    private static final String DECODING_BODY = "facestream.decoding-body";

    private final GalleryAdmin galleries;
    private final FaceReader faces;
    private final AuditLog audit;
    private final Guard guard;
    private final ApiLimits limits;

    private io.facestream.core.health.HealthRegistry health = new io.facestream.core.health.HealthRegistry();

    /** What {@code GET /api/health} reports: this service's components (the default reports none, i.e. UP). */
    public ApiRouter withHealth(io.facestream.core.health.HealthRegistry health) {
        this.health = health;
        return this;
    }

    public ApiRouter(GalleryAdmin galleries, FaceReader faces, AuditLog audit, Guard guard, ApiLimits limits) {
        this.galleries = galleries;
        this.faces = faces;
        this.audit = audit;
        this.guard = guard;
        this.limits = limits;
    }

    public Router build(Vertx vertx, MatchRoutes matches) {
        Router r = Router.router(vertx);
        BodyHandler body = BodyHandler.create(limits.uploadDirectory().toString()).setBodyLimit(limits.maxUploadBytes())
                .setDeleteUploadedFilesOnEnd(true);
        // only methods that carry a form: Vert.x refuses to decode multipart on a GET (IllegalStateException, a 500)
        // A failure while the body is decoded is the client's malformed body (Netty's multipart decoder throws e.g. an
        // ArrayIndexOutOfBoundsException on a broken Content-Disposition), a 400, unless it is the upload's I/O.
        r.route().method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH).method(HttpMethod.DELETE)
                .handler(ctx -> {
                    ctx.put(DECODING_BODY, Boolean.TRUE);
                    body.handle(ctx);
                });
        r.route().handler(ctx -> {
            ctx.remove(DECODING_BODY);
            ctx.next();
        });

        r.get("/api/health").handler(ctx -> {
            var report = health.report();
            Replies.json(ctx, report.ready() ? 200 : 503, report.toJson(true));
        });
        r.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(Metrics.scrape()));
        r.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(resource("api/openapi.yaml")));

        r.get("/api/galleries").handler(guard.require(Role.VIEWER)).handler(ctx -> blocking(ctx, galleries::list, v -> Replies.json(ctx, v)));
        r.post("/api/galleries").handler(guard.require(Role.ADMIN)).handler(this::createGallery);
        r.delete("/api/galleries/:gallery").handler(guard.require(Role.ADMIN)).handler(this::deleteGallery);
        r.put("/api/galleries/:gallery/threshold").handler(guard.require(Role.ADMIN)).handler(this::setThreshold);
        r.get("/api/galleries/:gallery/subjects").handler(guard.require(Role.VIEWER))
                .handler(ctx -> blocking(ctx, () -> galleries.subjects(ctx.pathParam("gallery")), v -> Replies.json(ctx, v)));
        r.post("/api/galleries/:gallery/subjects").handler(guard.require(Role.OPERATOR)).handler(this::enrol);
        r.delete("/api/galleries/:gallery/subjects/:subject").handler(guard.require(Role.OPERATOR)).handler(this::deleteSubject);
        r.get("/api/galleries/:gallery/subjects/:subject/media/:media/crop").handler(guard.require(Role.VIEWER))
                .handler(ctx -> blocking(ctx, () -> galleries.crop(ctx.pathParam("gallery"), ctx.pathParam("subject"),
                        ctx.pathParam("media")), b -> Replies.jpeg(ctx, b)));
        r.post("/api/search").handler(guard.require(Role.VIEWER)).handler(this::search);
        r.post("/api/verify").handler(guard.require(Role.VIEWER)).handler(this::verify);

        matches.mount(r, guard);

        r.route("/*").method(HttpMethod.GET).handler(StaticHandler.create("web").setCachingEnabled(false).setIndexPage("index.html"));
        r.route().failureHandler(ApiRouter::failure);
        return r;
    }

    static void failure(RoutingContext ctx) {
        Throwable f = ctx.failure();
        if (f == null) {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            Replies.error(ctx, status, status == 413 ? "upload too large (limit: api.max-upload-bytes)"
                    : status == 404 ? "no such route: " + ctx.request().method() + " " + ctx.request().path()
                    : "request failed with status " + status);
            return;
        }
        if (f instanceof java.util.concurrent.CompletionException && f.getCause() != null) {
            f = f.getCause();
        }
        if (Boolean.TRUE.equals(ctx.get(DECODING_BODY)) && !(f instanceof IOException)
                && !(f instanceof io.vertx.core.file.FileSystemException)) {
            Replies.error(ctx, 400, "the request body could not be decoded: " + f);
            return;
        }
        switch (f) {
            case ApiError e -> Replies.error(ctx, e.status(), e.getMessage());
            case GalleryInputException e -> Replies.error(ctx, 400, e.getMessage());
            case IllegalArgumentException e -> Replies.error(ctx, 400, e.getMessage());
            default -> {
                LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), f);
                Replies.error(ctx, 500, "internal error: " + f);
            }
        }
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
            throw ApiError.badRequest("request body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
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
        blocking(ctx, () -> {
            Map<String, Object> g = galleries.create(name, kind);
            audit.record(Guard.caller(ctx).name(), "gallery.create", Map.of("gallery", name));
            return g;
        }, g -> Replies.json(ctx, 201, g));
    }

    private void deleteGallery(RoutingContext ctx) {
        String name = ctx.pathParam("gallery");
        blocking(ctx, () -> {
            galleries.delete(name);
            audit.record(Guard.caller(ctx).name(), "gallery.delete", Map.of("gallery", name));
            return name;
        }, n -> ctx.response().setStatusCode(204).end());
    }

    private void setThreshold(RoutingContext ctx) {
        JsonNode b = jsonBody(ctx);
        String model = text(b, "model", false);
        if (model == null && !faces.model().contains(":")) {
            throw ApiError.badRequest("field 'model' (name:version) is required until the face pipeline has been opened");
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
            throw ApiError.badRequest("send either {\"threshold\": x} or {\"target_fpir\": f, \"non_mated_scores\": [...]}");
        }
        String gallery = ctx.pathParam("gallery");
        OpenSetThreshold chosen = t;
        blocking(ctx, () -> {
            galleries.setThreshold(gallery, space, chosen);
            audit.record(Guard.caller(ctx).name(), "gallery.threshold", Map.of("gallery", gallery, "model", space,
                    "threshold", chosen.value(), "source", chosen.source()));
            return chosen;
        }, v -> Replies.json(ctx, thresholdJson(gallery, space, v)));
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
            throw ApiError.badRequest("expected " + (min == max ? min : min + " to " + max) + " file(s) in multipart field '"
                    + field + "', got " + out.size());
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
        blocking(ctx, () -> {
            galleries.requireGallery(gallery);
            List<ReadFace> read = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                read.add(faces.read(images.get(i), "image " + (i + 1) + " of subject " + subject));
            }
            Map<String, Object> out = galleries.enrol(gallery, subject, display == null ? subject : display, read);
            audit.record(Guard.caller(ctx).name(), "subject.enrol", Map.of("gallery", gallery, "subject_id", subject,
                    "images", images.size()));
            return out;
        }, v -> Replies.json(ctx, 201, v));
    }

    private void deleteSubject(RoutingContext ctx) {
        String gallery = ctx.pathParam("gallery");
        String subject = ctx.pathParam("subject");
        blocking(ctx, () -> {
            galleries.deleteSubject(gallery, subject);
            audit.record(Guard.caller(ctx).name(), "subject.delete", Map.of("gallery", gallery, "subject_id", subject));
            return subject;
        }, v -> ctx.response().setStatusCode(204).end());
    }

    private void search(RoutingContext ctx) {
        byte[] image = uploads(ctx, "image", 1, 1).get(0);
        String only = ctx.request().getFormAttribute("gallery");
        int k = intParam(ctx.request().getFormAttribute("k"), 5, 1, 100, "k");
        blocking(ctx, () -> {
            IndexedGallery g = galleries.gallery();
            List<String> names = only == null || only.isBlank() ? new ArrayList<>(new java.util.TreeSet<>(g.index().galleryNames())) : List.of(only);
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
            audit.record(Guard.caller(ctx).name(), "search", Map.of("galleries", names, "k", k));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", f.model());
            out.put("faces_in_image", f.facesSeen());
            out.put("results", results);
            return out;
        }, v -> Replies.json(ctx, v));
    }

    private void verify(RoutingContext ctx) {
        byte[] a = uploads(ctx, "a", 1, 1).get(0);
        byte[] b = uploads(ctx, "b", 1, 1).get(0);
        String gallery = ctx.request().getFormAttribute("gallery");
        blocking(ctx, () -> {
            ReadFace fa = faces.read(a, "image a");
            ReadFace fb = faces.read(b, "image b");
            double score = Vectors.cosine(fa.raw(), fb.raw());
            OpenSetThreshold t = gallery == null || gallery.isBlank()
                    ? galleries.gallery().threshold("", fa.model()) : galleries.gallery().threshold(gallery, fa.model());
            audit.record(Guard.caller(ctx).name(), "verify", Map.of("threshold", t.value()));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", fa.model());
            out.put("score", score);
            out.put("threshold", t.value());
            out.put("same_person", score >= t.value());
            return out;
        }, v -> Replies.json(ctx, v));
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

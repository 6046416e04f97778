package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Match;
import io.facestream.core.events.Verdict;
import io.facestream.core.json.Json;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.api.faces.FaceCrops;
import io.facestream.match.api.live.MatchFeed;
import io.facestream.match.api.live.MatchQuery;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Matches, tracks, cameras, face crops, feedback and the live streams (SSE and WebSocket). */
public final class MatchRoutes {
    private final MatchFeed feed;
    private final FaceCrops faces;
    private final Producer<String, byte[]> feedback;

    private CameraAdmin cameras;
    private io.facestream.match.history.MatchHistory history;
    private io.facestream.match.reid.TrackTemplates reid;
    private java.time.Duration reidWindow = java.time.Duration.ZERO;
    private CorrectionRoutes corrections;

    public MatchRoutes(MatchFeed feed, FaceCrops faces, Producer<String, byte[]> feedback) {
        this.feed = feed;
        this.faces = faces;
        this.feedback = feedback;
    }

    /**
     * Operators' corrections: the review queue, enrolling a track, the threshold from rejections, and feedback that
     * carries the rejected track's template (docs/match-service.md "Corrections").
     */
    public MatchRoutes withCorrections(
            io.facestream.match.corrections.Corrections corrections,
            GalleryAdmin galleries,
            io.facestream.core.config.FacestreamConfig config) {
        this.corrections = new CorrectionRoutes(
                feed, faces, corrections, galleries, io.facestream.match.corrections.CorrectionSettings.from(config));
        return this;
    }

    /** Cameras at run time (facestream.cameras); without it the camera routes other than the list answer 503. */
    public MatchRoutes withCameras(CameraAdmin cameras) {
        this.cameras = cameras;
        return this;
    }

    /** The rolling gallery of track templates behind {@code /api/tracks/{camera}/{track}/elsewhere} (null: off). */
    public MatchRoutes withReid(io.facestream.match.reid.TrackTemplates reid, java.time.Duration window) {
        this.reid = reid;
        this.reidWindow = window;
        return this;
    }

    /** The match history behind {@code /api/history} (null: off, the route answers 503); its best faces' crops are served. */
    public MatchRoutes withHistory(io.facestream.match.history.MatchHistory history) {
        this.history = history;
        return this;
    }

    void mount(Routes r) {
        r.add(HttpMethod.GET, "/api/matches", Role.VIEWER, RouteClass.READ, "matches.read", Body.NONE, this::matches);
        r.add(
                HttpMethod.GET,
                "/api/tracks/:camera/:track",
                Role.VIEWER,
                RouteClass.READ,
                "track.read",
                Body.NONE,
                this::track);
        r.add(
                HttpMethod.GET,
                "/api/faces/:partition/:offset/crop",
                Role.VIEWER,
                RouteClass.FACE,
                "face.crop",
                Body.NONE,
                this::faceCrop);
        new CameraRoutes(feed, cameras).mount(r);
        new HistoryRoutes(history).mount(r);
        new SeenElsewhereRoutes(reid, reidWindow).mount(r);
        r.add(
                HttpMethod.GET,
                "/api/status",
                Role.VIEWER,
                RouteClass.READ,
                "status.read",
                Body.NONE,
                ctx -> Replies.json(ctx, feed.status()));
        r.add(HttpMethod.POST, "/api/feedback", Role.OPERATOR, RouteClass.WRITE, "feedback", Body.JSON, this::feedback);
        if (corrections != null) {
            corrections.mount(r);
        }
        r.add(HttpMethod.GET, "/api/live", Role.VIEWER, RouteClass.LIVE, "live.sse", Body.NONE, this::sse);
        r.add(HttpMethod.GET, "/api/live/ws", Role.VIEWER, RouteClass.LIVE, "live.ws", Body.NONE, this::webSocket);
    }

    private void matches(RoutingContext ctx) {
        MatchFeed.Page page = feed.query(query(ctx));
        Access.of(ctx).detail("returned", page.matches().size());
        Replies.json(ctx, page);
    }

    static MatchQuery query(RoutingContext ctx) {
        var p = ctx.request().params();
        Match.Decision decision = enumParam(p.get("decision"), Match.Decision.class, "decision");
        Match.Stage stage = enumParam(p.get("stage"), Match.Stage.class, "stage");
        try {
            return new MatchQuery(
                    p.get("camera"),
                    longParam(p.get("from_us"), "from_us"),
                    longParam(p.get("to_us"), "to_us"),
                    p.get("subject"),
                    decision,
                    stage,
                    p.get("track"),
                    booleanParam(p.get("late"), "late"),
                    ApiRouter.intParam(p.get("offset"), 0, 0, Integer.MAX_VALUE, "offset"),
                    ApiRouter.intParam(p.get("limit"), 50, 1, MatchQuery.MAX_LIMIT, "limit"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static Boolean booleanParam(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiError.badRequest(name + " = '" + text + "' is not true or false");
        };
    }

    private static Long longParam(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " = '" + text + "' is not an integer (epoch microseconds)");
        }
    }

    private static <E extends Enum<E>> E enumParam(String text, Class<E> type, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(name + " = '" + text + "' is not one of " + List.of(type.getEnumConstants()));
        }
    }

    private void track(RoutingContext ctx) {
        String camera = ctx.pathParam("camera");
        String track = ctx.pathParam("track");
        var page = feed.query(new MatchQuery(camera, null, null, null, null, null, track, null, 0, 10));
        if (page.matches().isEmpty()) {
            throw ApiError.notFound(
                    "no decision for track " + track + " of camera " + camera + " among the recent matches");
        }
        Match latest = page.matches().get(0);
        Access.of(ctx).detail("decisions", page.matches().size());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("camera_id", camera);
        out.put("track_id", track);
        out.put("start_ts_us", latest.startTsUs());
        out.put("end_ts_us", latest.endTsUs());
        out.put("faces", latest.faces());
        out.put("best_face", latest.bestFace());
        if (latest.bestFace() != null) {
            out.put("best_face_crop", "/api/" + latest.bestFace() + "/crop");
        }
        out.put("decisions", page.matches());
        Replies.json(ctx, out);
    }

    private void faceCrop(RoutingContext ctx) {
        int partition = ApiRouter.intParam(ctx.pathParam("partition"), -1, 0, 100_000, "partition");
        long offset;
        try {
            offset = Long.parseLong(ctx.pathParam("offset"));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("offset '" + ctx.pathParam("offset") + "' is not an integer");
        }
        if (!feed.isRecentBestFace(partition, offset) && (history == null || !history.isBestFace(partition, offset))) {
            // only the faces the API has shown as a decision's best face: no walking the faces topic by offset
            throw ApiError.notFound("faces/" + partition + "/" + offset + " is not the best face of a recent match");
        }
        ApiRouter.blocking(
                ctx,
                () -> faces.crop(partition, offset)
                        .orElseThrow(() -> ApiError.notFound("no face record at faces/" + partition + "/" + offset)),
                c -> {
                    if (c.jpeg().length == 0) {
                        Replies.error(
                                ctx, 404, "face faces/" + partition + "/" + offset + " was stored without its crop");
                    } else {
                        Replies.jpeg(ctx, c.jpeg());
                    }
                });
    }

    private void feedback(RoutingContext ctx) {
        JsonNode b = ApiRouter.jsonBody(ctx);
        String matchId = ApiRouter.text(b, "match_id", true);
        String verdictText = ApiRouter.text(b, "verdict", true);
        Verdict verdict = switch (verdictText.toLowerCase(Locale.ROOT)) {
            case "confirm" -> Verdict.CONFIRM;
            case "reject" -> Verdict.REJECT;
            default -> throw ApiError.badRequest("verdict '" + verdictText + "' is not one of confirm, reject");
        };
        Match m = feed.find(matchId).orElseThrow(() -> ApiError.notFound("no recent match with id '" + matchId + "'"));
        String subject = ApiRouter.text(b, "subject_id", false);
        if (subject == null && m.best() != null) {
            subject = m.best().subjectId();
        }
        String comment = ApiRouter.text(b, "comment", false);
        Feedback given = Feedback.newBuilder()
                .setMatchId(matchId)
                .setVerdict(verdict)
                .setBy(Guard.caller(ctx).name())
                .setTsUs(System.currentTimeMillis() * 1000)
                .setGallery(m.gallery() == null ? "" : m.gallery())
                .setSubjectId(subject == null ? "" : subject)
                .setTrackId(m.trackId() == null ? "" : m.trackId())
                .setCameraId(m.cameraId())
                .setComment(comment == null ? "" : comment)
                .build();
        Access.of(ctx).detail("match_id", matchId).detail("verdict", verdict.name());
        ApiRouter.blocking(
                ctx,
                () -> {
                    Feedback f = corrections == null ? given : corrections.complete(m, given);
                    boolean toBooking = corrections != null && corrections.addsToBooking(m, f);
                    if (toBooking) {
                        Access.of(ctx).detail("adds_medium", "track-" + m.cameraId() + "-" + m.trackId());
                    }
                    var threshold = corrections == null
                            ? java.util.Optional.<io.facestream.match.corrections.ThresholdSuggestion>empty()
                            : corrections.plannedThreshold(m, f);
                    threshold.ifPresent(t -> Access.of(ctx).detail("threshold_applied", t.suggested()));
                    Access.of(ctx).beforeChange();
                    feedback.send(new ProducerRecord<>(TopicCatalog.FEEDBACK, matchId, f.toByteArray()))
                            .get();
                    if (corrections != null) {
                        corrections.written(matchId, f, m, toBooking, threshold);
                    }
                    return f;
                },
                f -> Replies.json(ctx, 201, Map.of("match_id", matchId, "verdict", verdict.name(), "by", f.getBy())));
    }

    private void sse(RoutingContext ctx) {
        MatchQuery filter = query(ctx);
        Replies.open(ctx, 200, () -> {
            HttpServerResponse res = ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            AtomicLong sent = new AtomicLong();
            long opened = System.nanoTime();
            // listening before the first byte goes out: a client that reads /api/matches once the stream is open
            // misses no decision made in between
            Runnable stop = feed.listen(m -> {
                if (filter.matches(m)) {
                    ctx.vertx().runOnContext(v -> {
                        if (!res.closed() && !res.ended()) {
                            sent.incrementAndGet();
                            res.write("id: " + m.matchId() + "\nevent: match\ndata: " + json(m) + "\n\n");
                        }
                    });
                }
            });
            res.write(": facestream live matches\n\n");
            long ping = ctx.vertx().setPeriodic(15_000, id -> {
                if (!res.closed() && !res.ended()) {
                    res.write(": ping\n\n");
                }
            });
            res.closeHandler(v -> {
                stop.run();
                ctx.vertx().cancelTimer(ping);
                ended(ctx, sent.get(), opened);
            });
        });
    }

    private void webSocket(RoutingContext ctx) {
        MatchQuery filter = query(ctx);
        if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
            throw ApiError.badRequest("this route is a WebSocket: send an upgrade request (Upgrade: websocket)");
        }
        ctx.request().pause(); // the upgrade happens once the audit line is written: keep the request unread until then
        Replies.open(
                ctx,
                101,
                () -> ctx.request()
                        .toWebSocket()
                        .onSuccess(ws -> {
                            AtomicLong sent = new AtomicLong();
                            long opened = System.nanoTime();
                            Runnable stop = feed.listen(m -> {
                                if (filter.matches(m)) {
                                    ctx.vertx().runOnContext(v -> {
                                        if (!ws.isClosed()) {
                                            sent.incrementAndGet();
                                            ws.writeTextMessage(json(m));
                                        }
                                    });
                                }
                            });
                            ws.closeHandler(v -> {
                                stop.run();
                                ended(ctx, sent.get(), opened);
                            });
                        })
                        .onFailure(ctx::fail));
    }

    /** The audit line of a live stream that closed: how long it was open and how many decisions it carried. */
    private static void ended(RoutingContext ctx, long sent, long openedNanos) {
        Access a = Access.of(ctx);
        if (a != null) {
            a.after(
                    "ended",
                    Map.of("matches_sent", sent, "seconds", (System.nanoTime() - openedNanos) / 1_000_000_000L));
        }
    }

    private static String json(Match m) {
        try {
            return Json.mapper().writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write match " + m.matchId() + " as JSON", e);
        }
    }
}

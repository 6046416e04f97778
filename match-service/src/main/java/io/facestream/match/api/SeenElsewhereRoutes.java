package io.facestream.match.api;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.reid.TrackTemplates;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/tracks/{camera}/{track}/elsewhere}: the tracks of every camera in the last hours closest to this one
 * (cross-camera re-identification over {@link TrackTemplates}). A search with a face: viewer, rate class search,
 * audited with the number of tracks returned.
 */
final class SeenElsewhereRoutes {
    private final TrackTemplates templates;
    private final Duration window;

    /** @param templates the rolling gallery of track templates, or null when {@code match.reid.enabled} is false */
    SeenElsewhereRoutes(TrackTemplates templates, Duration window) {
        this.templates = templates;
        this.window = window;
    }

    void mount(Routes r) {
        r.add(
                HttpMethod.GET,
                "/api/tracks/:camera/:track/elsewhere",
                Role.VIEWER,
                RouteClass.SEARCH,
                "track.elsewhere",
                Body.NONE,
                this::elsewhere);
    }

    private void elsewhere(RoutingContext ctx) {
        if (templates == null) {
            throw new ApiError(503, "seen elsewhere is off on this instance: set match.reid.enabled=true");
        }
        String camera = ctx.pathParam("camera");
        String track = ctx.pathParam("track");
        var p = ctx.request().params();
        Duration within = window;
        if (p.get("within") != null) {
            try {
                within = FacestreamConfig.parseDuration(p.get("within"));
            } catch (RuntimeException e) {
                throw ApiError.badRequest("within '" + p.get("within") + "' is not a duration: send e.g. 30m or 2h");
            }
            if (within.isNegative() || within.isZero() || within.compareTo(window) > 0) {
                throw ApiError.badRequest("within = " + p.get("within") + " is out of range: send more than 0 and at "
                        + "most match.reid.window (" + window.toSeconds() + " s)");
            }
        }
        int limit = ApiRouter.intParam(p.get("limit"), 20, 1, 200, "limit");
        double minScore = 0.3;
        if (p.get("min_score") != null) {
            try {
                minScore = Double.parseDouble(p.get("min_score"));
            } catch (NumberFormatException e) {
                minScore = Double.NaN;
            }
            if (!(minScore >= -1 && minScore <= 1)) {
                throw ApiError.badRequest("min_score = " + p.get("min_score") + " is not a cosine: send -1 to 1");
            }
        }
        Duration w = within;
        double min = minScore;
        // a refusal is thrown inside the blocking part: thrown in the reply it would never reach the failure handler
        ApiRouter.blocking(
                ctx,
                () -> templates
                        .elsewhere(camera, track, w, limit, min)
                        .orElseThrow(
                                () -> ApiError.notFound("track " + camera + "/" + track + " has no template here: it"
                                        + " is not closed yet (no FINAL decision), its faces are no longer on facestream.faces,"
                                        + " or it is older than match.reid.window")),
                sightings -> {
                    Access.of(ctx).detail("returned", sightings.size());
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("camera_id", camera);
                    out.put("track_id", track);
                    out.put("within_s", w.toSeconds());
                    out.put("min_score", min);
                    out.put("sightings", items(sightings));
                    Replies.json(ctx, out);
                });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(List<TrackTemplates.Sighting> sightings) {
        List<Map<String, Object>> out = new ArrayList<>(sightings.size());
        for (TrackTemplates.Sighting s : sightings) {
            Match m = s.decision();
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("score", Math.round(s.score() * 1e4) / 1e4);
            item.put("camera_id", m.cameraId());
            item.put("track_id", m.trackId());
            item.put("start_ts_us", m.startTsUs());
            item.put("end_ts_us", m.endTsUs());
            item.put("faces_fused", s.faces());
            item.put("decision", Json.mapper().convertValue(m, LinkedHashMap.class));
            if (m.bestFace() != null) {
                item.put("best_face_crop", "/api/" + m.bestFace() + "/crop");
            }
            out.add(item);
        }
        return out;
    }
}

package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.security.Redact;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.api.live.MatchFeed;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cameras: the list with each camera's spec, ingest status and match counts (viewer), adding, changing, pausing and
 * resuming (operator), removing (admin, like deleting a gallery: it ends a deployment's coverage of a place), and the
 * latest frame (viewer, a face read: rate class {@code face}). Sources are masked in every answer and audit line.
 */
final class CameraRoutes {
    private final MatchFeed feed;
    private final CameraAdmin cameras;

    /** @param cameras null in a router built without Kafka topics for cameras: its routes then answer 503 */
    CameraRoutes(MatchFeed feed, CameraAdmin cameras) {
        this.feed = feed;
        this.cameras = cameras;
    }

    void mount(Routes r) {
        r.add(HttpMethod.GET, "/api/cameras", Role.VIEWER, RouteClass.READ, "cameras.list", Body.NONE, ctx -> {
            if (cameras == null) {
                Replies.json(ctx, feed.cameras());
            } else {
                ApiRouter.blocking(ctx, () -> cameras.list(feed.cameras()), v -> Replies.json(ctx, v));
            }
        });
        r.add(
                HttpMethod.PUT,
                "/api/cameras/:camera",
                Role.OPERATOR,
                RouteClass.WRITE,
                "camera.put",
                Body.JSON,
                this::put);
        r.add(
                HttpMethod.POST,
                "/api/cameras/:camera/pause",
                Role.OPERATOR,
                RouteClass.WRITE,
                "camera.pause",
                Body.NONE,
                ctx -> pause(ctx, true));
        r.add(
                HttpMethod.POST,
                "/api/cameras/:camera/resume",
                Role.OPERATOR,
                RouteClass.WRITE,
                "camera.resume",
                Body.NONE,
                ctx -> pause(ctx, false));
        r.add(
                HttpMethod.DELETE,
                "/api/cameras/:camera",
                Role.ADMIN,
                RouteClass.WRITE,
                "camera.delete",
                Body.NONE,
                this::delete);
        r.add(
                HttpMethod.GET,
                "/api/cameras/:camera/snapshot",
                Role.VIEWER,
                RouteClass.FACE,
                "camera.snapshot",
                Body.NONE,
                ctx -> {
                    String id = CameraAdmin.checkId(ctx.pathParam("camera"));
                    ApiRouter.blocking(ctx, () -> admin().snapshot(id), b -> Replies.jpeg(ctx, b));
                });
    }

    private CameraAdmin admin() {
        if (cameras == null) {
            throw new ApiError(503, "cameras cannot be changed by this router: it was built without Kafka");
        }
        return cameras;
    }

    private void put(RoutingContext ctx) {
        String id = CameraAdmin.checkId(ctx.pathParam("camera"));
        JsonNode b = ApiRouter.jsonBody(ctx);
        String source = CameraAdmin.checkSource(ApiRouter.text(b, "source", true));
        JsonNode p = b.get("paused");
        if (p != null && !p.isNull() && !p.isBoolean()) {
            throw ApiError.badRequest("field 'paused' must be true or false");
        }
        boolean paused = p != null && p.asBoolean();
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode o = b.get("options");
        if (o != null && !o.isNull()) {
            if (!o.isObject()) {
                throw ApiError.badRequest("field 'options' must be an object, e.g. {\"fps\": 2}");
            }
            for (var e : o.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw ApiError.badRequest("camera option '" + e.getKey() + "' must be a number or a string");
                }
                options.put(e.getKey(), e.getValue().asText());
            }
        }
        Map<String, String> checked = CameraAdmin.checkOptions(options);
        Access.of(ctx)
                .detail("camera", id)
                .detail("source", Redact.credentials(source))
                .detail("paused", paused)
                .detail("options", checked);
        CameraAdmin admin = admin();
        String by = Access.of(ctx).principal();
        ApiRouter.blocking(
                ctx,
                () -> admin.put(id, source, paused, checked, by, ApiRouter.beforeChange(ctx)),
                v -> Replies.json(ctx, v));
    }

    private void pause(RoutingContext ctx, boolean paused) {
        String id = CameraAdmin.checkId(ctx.pathParam("camera"));
        Access.of(ctx).detail("camera", id);
        CameraAdmin admin = admin();
        String by = Access.of(ctx).principal();
        ApiRouter.blocking(
                ctx, () -> admin.setPaused(id, paused, by, ApiRouter.beforeChange(ctx)), v -> Replies.json(ctx, v));
    }

    private void delete(RoutingContext ctx) {
        String id = CameraAdmin.checkId(ctx.pathParam("camera"));
        Access.of(ctx).detail("camera", id);
        CameraAdmin admin = admin();
        ApiRouter.blocking(
                ctx,
                () -> {
                    admin.delete(id, ApiRouter.beforeChange(ctx));
                    return id;
                },
                v -> Replies.noContent(ctx));
    }
}

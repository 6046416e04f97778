package io.facestream.match.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facestream.core.json.Json;
import io.facestream.match.api.audit.Access;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every API response is written: snake_case JSON through the project mapper, errors as {"error": ...}. On an
 * audited route the request's audit line is written first ({@link Access#finish}); if it cannot be written, face data
 * is not sent (503), while a refusal or a change already recorded is answered as it is.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {}

    static void json(RoutingContext ctx, int status, Object body) {
        Buffer bytes;
        try {
            bytes = Buffer.buffer(Json.mapper().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
            return;
        }
        send(
                ctx,
                status,
                () -> ctx.response()
                        .setStatusCode(status)
                        .putHeader("Content-Type", "application/json")
                        .end(bytes));
    }

    static void json(RoutingContext ctx, Object body) {
        json(ctx, 200, body);
    }

    static void noContent(RoutingContext ctx) {
        send(ctx, 204, () -> ctx.response().setStatusCode(204).end());
    }

    static void jpeg(RoutingContext ctx, byte[] bytes) {
        send(
                ctx,
                200,
                () -> ctx.response()
                        .putHeader("Content-Type", "image/jpeg")
                        .putHeader("Cache-Control", "private, max-age=300")
                        .end(Buffer.buffer(bytes)));
    }

    /** Starts a response that stays open (a live stream) once its audit line is written. */
    static void open(RoutingContext ctx, int status, Runnable start) {
        send(ctx, status, start);
    }

    static void error(RoutingContext ctx, int status, String message) {
        error(ctx, status, message, null);
    }

    static void error(RoutingContext ctx, int status, String message, String errorId) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        if (errorId != null) {
            body.put("error_id", errorId);
        }
        json(ctx, status, body);
    }

    private static void send(RoutingContext ctx, int status, Runnable write) {
        Access access = Access.of(ctx);
        if (access == null || access.finished()) {
            write.run();
            return;
        }
        Context context = Vertx.currentContext() != null
                ? Vertx.currentContext()
                : ctx.vertx().getOrCreateContext();
        access.finish(status)
                .whenComplete((written, failure) -> context.runOnContext(v -> {
                    if (ctx.response().ended() || ctx.response().closed()) {
                        return;
                    }
                    if (failure != null && status < 400 && !access.changeRecorded()) {
                        LOG.error(
                                "{} {}: not answered, the audit line cannot be written: {}",
                                ctx.request().method(),
                                ctx.request().path(),
                                failure.getMessage());
                        String msg =
                                "the audit log cannot be written, so this request is not answered (see the service log)";
                        byte[] b = ("{\"error\":\"" + msg + "\",\"status\":503}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        ctx.response()
                                .setStatusCode(503)
                                .putHeader("Content-Type", "application/json")
                                .end(Buffer.buffer(b));
                        return;
                    }
                    if (failure != null) {
                        LOG.error(
                                "{} {}: the audit line of the outcome ({}) cannot be written: {}",
                                ctx.request().method(),
                                ctx.request().path(),
                                status,
                                failure.getMessage());
                    }
                    write.run();
                }));
    }
}

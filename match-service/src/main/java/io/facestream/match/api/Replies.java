package io.facestream.match.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facestream.core.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** How every API response is written: snake_case JSON through the project mapper, errors as {"error": ...}. */
final class Replies {
    private Replies() {}

    static void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(Json.mapper().writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    static void json(RoutingContext ctx, Object body) {
        json(ctx, 200, body);
    }

    static void jpeg(RoutingContext ctx, byte[] bytes) {
        ctx.response().putHeader("Content-Type", "image/jpeg").putHeader("Cache-Control", "private, max-age=300")
                .end(Buffer.buffer(bytes));
    }

    static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        json(ctx, status, Map.of("error", message, "status", status));
    }
}

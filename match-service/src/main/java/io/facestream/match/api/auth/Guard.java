package io.facestream.match.api.auth;

import io.facestream.match.api.ApiError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Route guard: a key from {@code Authorization: Bearer <key>}, {@code X-Api-Key}, or the {@code key} query
 * parameter (browsers cannot set headers on EventSource, WebSocket or img requests), with at least the role.
 */
public final class Guard {
    public static final String KEY = "facestream.api-key";
    private final ApiKeys keys;

    public Guard(ApiKeys keys) {
        this.keys = keys;
    }

    public Handler<RoutingContext> require(Role role) {
        return ctx -> {
            String secret = ctx.request().getHeader("X-Api-Key");
            String auth = ctx.request().getHeader("Authorization");
            if (secret == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                secret = auth.substring(7).trim();
            }
            if (secret == null) {
                secret = ctx.request().getParam("key");
            }
            if (secret == null || secret.isEmpty()) {
                ctx.fail(new ApiError(401, "missing API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'"));
                return;
            }
            var key = keys.find(secret);
            if (key.isEmpty()) {
                ctx.fail(new ApiError(401, "unknown API key"));
                return;
            }
            if (!key.get().role().allows(role)) {
                ctx.fail(new ApiError(403, "key '" + key.get().name() + "' has role " + key.get().role()
                        + "; this needs " + role));
                return;
            }
            ctx.put(KEY, key.get());
            ctx.next();
        };
    }

    public static ApiKey caller(RoutingContext ctx) {
        return ctx.get(KEY);
    }
}

package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.ApiKey;
import io.facestream.match.api.auth.ApiKeys;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.api.auth.Sessions;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keys at run time (admin): create (the secret is in the answer, once), list (never a secret), set an expiry, revoke.
 * No restart is needed and every change is in the audit log before it takes effect. And the page's session: log in
 * with a key, get an HttpOnly cookie; look at it (which renews it); log out.
 */
final class KeyRoutes {
    private final ApiKeys keys;
    private final Sessions sessions;
    private final boolean tls;

    KeyRoutes(ApiKeys keys, Sessions sessions, boolean tls) {
        this.keys = keys;
        this.sessions = sessions;
        this.tls = tls;
    }

    void mount(Routes r) {
        r.add(HttpMethod.POST, "/api/session", Role.VIEWER, RouteClass.READ, "session.create", Body.NONE, this::login);
        r.add(HttpMethod.GET, "/api/session", Role.VIEWER, RouteClass.READ, "session.read", Body.NONE, this::session);
        r.add(HttpMethod.DELETE, "/api/session", Role.VIEWER, RouteClass.READ, "session.end", Body.NONE, this::logout);
        r.add(
                HttpMethod.GET,
                "/api/keys",
                Role.ADMIN,
                RouteClass.READ,
                "keys.list",
                Body.NONE,
                ctx -> Replies.json(
                        ctx,
                        keys.list().stream().map(k -> describe(k, keys.now())).toList()));
        r.add(HttpMethod.POST, "/api/keys", Role.ADMIN, RouteClass.WRITE, "key.create", Body.JSON, this::create);
        r.add(
                HttpMethod.PUT,
                "/api/keys/:name/expiry",
                Role.ADMIN,
                RouteClass.WRITE,
                "key.expire",
                Body.JSON,
                this::expire);
        r.add(
                HttpMethod.POST,
                "/api/keys/:name/revoke",
                Role.ADMIN,
                RouteClass.WRITE,
                "key.revoke",
                Body.NONE,
                this::revoke);
    }

    static Map<String, Object> describe(ApiKey k, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", k.name());
        m.put("role", k.role().name().toLowerCase(java.util.Locale.ROOT));
        m.put("state", k.state(now).name().toLowerCase(java.util.Locale.ROOT));
        m.put("source", k.source().name().toLowerCase(java.util.Locale.ROOT));
        m.put("fingerprint", k.fingerprint());
        m.put("created_at", k.createdAt() == null ? null : k.createdAt().toString());
        m.put("created_by", k.createdBy());
        m.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
        m.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
        return m;
    }

    private void login(RoutingContext ctx) {
        ApiKey key = Guard.caller(ctx);
        setCookie(ctx, sessions.issue(key), sessions.ttl().toSeconds());
        Replies.json(ctx, 201, sessionJson(key, Instant.now().plus(sessions.ttl())));
    }

    private void session(RoutingContext ctx) {
        ApiKey key = Guard.caller(ctx);
        Sessions.Claims current = Guard.session(ctx);
        Instant expires = null;
        if (current != null) { // renewed: a page that stays open keeps its session while its key is valid
            setCookie(ctx, sessions.issue(key), sessions.ttl().toSeconds());
            expires = Instant.now().plus(sessions.ttl());
        }
        Replies.json(ctx, sessionJson(key, expires));
    }

    private void logout(RoutingContext ctx) {
        Sessions.Claims current = Guard.session(ctx);
        if (current != null) {
            sessions.end(current);
        }
        setCookie(ctx, "", 0);
        Replies.noContent(ctx);
    }

    private Map<String, Object> sessionJson(ApiKey key, Instant expires) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", key.name());
        m.put("role", key.role().name().toLowerCase(java.util.Locale.ROOT));
        if (expires != null) {
            Instant e = key.expiresAt() != null && key.expiresAt().isBefore(expires) ? key.expiresAt() : expires;
            m.put("expires_at", e.toString());
        }
        return m;
    }

    private void setCookie(RoutingContext ctx, String value, long maxAgeSeconds) {
        ctx.response()
                .addCookie(Cookie.cookie(Sessions.COOKIE, value)
                        .setPath("/api")
                        .setHttpOnly(true)
                        .setSameSite(CookieSameSite.STRICT)
                        .setSecure(tls)
                        .setMaxAge(maxAgeSeconds));
    }

    private void create(RoutingContext ctx) {
        JsonNode b = ApiRouter.jsonBody(ctx);
        String name = ApiRouter.text(b, "name", true);
        String roleText = ApiRouter.text(b, "role", true);
        Role role = Role.parse(roleText, "field 'role'");
        Instant expires = expiry(b, false);
        ApiKey.checkName(name, "field 'name'");
        Access.of(ctx)
                .detail("name", name)
                .detail("role", role.name())
                .detail("expires_at", expires == null ? null : expires.toString());
        String by = Guard.caller(ctx).name();
        ApiRouter.blocking(
                ctx,
                () -> {
                    if (keys.byName(name).isPresent()) {
                        throw new ApiError(409, "API key '" + name + "' exists already (revoked keys keep their name)");
                    }
                    Access.of(ctx).beforeChange();
                    return keys.create(name, role, expires, by);
                },
                created -> {
                    Map<String, Object> out = describe(created.key(), keys.now());
                    out.put("secret", created.secret());
                    Access.of(ctx).detail("fingerprint", created.key().fingerprint());
                    Replies.json(ctx, 201, out);
                });
    }

    private void expire(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Instant at = expiry(ApiRouter.jsonBody(ctx), true);
        Access.of(ctx).detail("expires_at", at.toString());
        ApiRouter.blocking(
                ctx,
                () -> {
                    if (keys.byName(name).isEmpty()) {
                        throw ApiError.notFound("no API key named '" + name + "'");
                    }
                    Access.of(ctx).beforeChange();
                    return keys.expire(name, at);
                },
                k -> Replies.json(ctx, describe(k, keys.now())));
    }

    private void revoke(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        ApiRouter.blocking(
                ctx,
                () -> {
                    if (keys.byName(name).isEmpty()) {
                        throw ApiError.notFound("no API key named '" + name + "'");
                    }
                    Access.of(ctx).beforeChange();
                    return keys.revoke(name);
                },
                k -> Replies.json(ctx, describe(k, keys.now())));
    }

    /** {@code expires_at} (an ISO-8601 instant) or {@code expires_in} (a duration: 30d, 12h, PT1H; 0s = now). */
    private Instant expiry(JsonNode b, boolean required) {
        String at = ApiRouter.text(b, "expires_at", false);
        String in = ApiRouter.text(b, "expires_in", false);
        if (at != null && in != null) {
            throw ApiError.badRequest("give either 'expires_at' or 'expires_in', not both");
        }
        if (at != null) {
            try {
                return Instant.parse(at);
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest(
                        "expires_at '" + at + "' is not an ISO-8601 instant such as 2030-01-31T00:00:00Z");
            }
        }
        if (in != null) {
            Duration d;
            try {
                d = FacestreamConfig.parseDuration(in);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("expires_in '" + in + "' is not a duration such as 30d, 12h or PT1H");
            }
            if (d.isNegative()) {
                throw ApiError.badRequest("expires_in must not be negative");
            }
            return keys.now().plus(d);
        }
        if (required) {
            throw ApiError.badRequest(
                    "send {\"expires_at\": \"2030-01-31T00:00:00Z\"} or {\"expires_in\": \"0s\"} (0s: now)");
        }
        return null;
    }
}

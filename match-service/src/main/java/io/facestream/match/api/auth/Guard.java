package io.facestream.match.api.auth;

import io.facestream.match.api.ApiError;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.audit.AuditLog;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.Optional;

/**
 * The guard in front of every route that is not public, run before anything of the request is read or stored (an
 * upload is refused before a byte of it is written):
 *
 * <ol>
 *   <li>a key in the URL ({@code ?key=}) is refused: URLs end up in proxy logs and browser history;</li>
 *   <li>the caller is authenticated: an API key in {@code Authorization: Bearer <key>} or {@code X-Api-Key}, or the
 *       page's session cookie ({@link Sessions}); a state-changing request with the cookie must also carry the
 *       {@code X-Facestream-Page} header, which a cross-site form cannot send. An expired or revoked key is refused,
 *       and so are its sessions. A client with too many failed attempts is answered 429 before its key is looked at;</li>
 *   <li>the key's role must include the route's;</li>
 *   <li>the key's rate limit of the route's class must allow it (429 with {@code Retry-After}); a key the process made
 *       for its own client ({@link ApiKey.Source#PROCESS}, the demo's) has none;</li>
 * </ol>
 * Every request that reaches the guard is in the audit log ({@link Access}), refusals included.
 */
public final class Guard {
    public static final String KEY = "facestream.api-key";
    public static final String PAGE_HEADER = "X-Facestream-Page";

    private final ApiKeys keys;
    private final Sessions sessions;
    private final RateLimiter limits;
    private final AuditLog audit;

    public Guard(ApiKeys keys, Sessions sessions, RateLimiter limits, AuditLog audit) {
        this.keys = keys;
        this.sessions = sessions;
        this.limits = limits;
        this.audit = audit;
    }

    public ApiKeys keys() {
        return keys;
    }

    public Sessions sessions() {
        return sessions;
    }

    private record Caller(ApiKey key, String auth, Sessions.Claims session) {}

    /** The handler that lets a request on to {@code route} (e.g. {@code GET /api/matches}) or refuses it. */
    public Handler<RoutingContext> require(Role role, RouteClass routeClass, String route, String action) {
        // a security-policy handler: Vert.x runs it before the route's body handler, so a refused upload is never read
        return (SecurityPolicyHandler) ctx -> {
            Access access = Access.start(ctx, audit, route, action);
            if (ctx.request().params().contains("key")) {
                refuse(
                        ctx,
                        access,
                        401,
                        "the API key is not accepted in the URL (?key=) any more: URLs end up in proxy logs and "
                                + "browser history. Send it in 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'; the page uses a "
                                + "session cookie (POST /api/session). A key that was sent in a URL should be replaced (docs/security.md)",
                        0);
                return;
            }
            long wait = limits.authWait(access.client());
            if (wait > 0) {
                refuse(
                        ctx,
                        access,
                        429,
                        "too many failed authentications from " + access.client() + ": try again in " + wait + " s",
                        wait);
                return;
            }
            Caller caller;
            try {
                caller = authenticate(ctx, access);
            } catch (ApiError e) {
                if (presentsCredentials(ctx)) { // a wrong key or a forged session counts; coming without one does not
                    limits.authFailed(access.client());
                }
                refuse(ctx, access, e.status(), e.getMessage(), 0);
                return;
            }
            ApiKey key = caller.key();
            access.principal(key.name(), key.role().name(), caller.auth());
            if (caller.session() != null
                    && !isSafe(ctx.request().method())
                    && ctx.request().getHeader(PAGE_HEADER) == null) {
                refuse(
                        ctx,
                        access,
                        403,
                        "a change with the page's session cookie must carry the " + PAGE_HEADER
                                + " header (cross-site requests cannot); API clients send their key instead",
                        0);
                return;
            }
            if (!key.role().allows(role)) {
                refuse(ctx, access, 403, "key '" + key.name() + "' has role " + key.role() + "; this needs " + role, 0);
                return;
            }
            // the key this process made for its own client (the demo's) is not limited: it protects nothing from
            // outside
            long retry = key.source() == ApiKey.Source.PROCESS ? 0 : limits.acquire(key.name(), routeClass);
            if (retry > 0) {
                refuse(
                        ctx,
                        access,
                        429,
                        "rate limit of key '" + key.name() + "' for " + routeClass.configName() + " requests ("
                                + fmt(limits.limit(routeClass).perMinute()) + "/min, burst "
                                + limits.limit(routeClass).burst()
                                + ", api.rate-limit." + routeClass.configName() + ") reached: try again in " + retry
                                + " s",
                        retry);
                return;
            }
            ctx.put(KEY, key);
            if (caller.session() != null) {
                ctx.put(SESSION, caller.session());
            }
            ctx.next();
        };
    }

    public static final String SESSION = "facestream.session";

    /** The caller; a key that is known but expired or revoked is named in the audit line of its refusal. */
    private Caller authenticate(RoutingContext ctx, Access access) {
        String secret = ctx.request().getHeader("X-Api-Key");
        String authorization = ctx.request().getHeader("Authorization");
        if (secret == null && authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiError(401, "the Authorization header must be 'Bearer <key>'");
            }
            secret = authorization.substring(7).trim();
        }
        if (secret != null) {
            if (secret.isEmpty()) {
                throw new ApiError(401, "missing API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
            }
            ApiKey key = keys.find(secret).orElseThrow(() -> new ApiError(401, "unknown API key"));
            access.principal(key.name(), key.role().name(), "key");
            return new Caller(usable(key), "key", null);
        }
        Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
        if (cookie != null) {
            Sessions.Claims c = sessions.verify(cookie.getValue())
                    .orElseThrow(() -> new ApiError(401, "the page session has expired or is not valid: log in again"));
            Optional<ApiKey> key = keys.byName(c.keyName()).filter(k -> Sessions.belongsTo(c, k));
            if (key.isEmpty()) {
                throw new ApiError(401, "the key of this page session is gone: log in again");
            }
            access.principal(key.get().name(), key.get().role().name(), "session");
            return new Caller(usable(key.get()), "session", c);
        }
        throw new ApiError(
                401,
                "missing API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>' (the page logs in "
                        + "with POST /api/session)");
    }

    private ApiKey usable(ApiKey key) {
        return switch (key.state(keys.now())) {
            case ACTIVE -> key;
            case EXPIRED -> throw new ApiError(401, "API key '" + key.name() + "' expired at " + key.expiresAt());
            case REVOKED -> throw new ApiError(401, "API key '" + key.name() + "' was revoked at " + key.revokedAt());
        };
    }

    private static void refuse(RoutingContext ctx, Access access, int status, String message, long retryAfter) {
        if (retryAfter > 0) {
            ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
        }
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"facestream\"");
        }
        ctx.fail(new ApiError(status, message));
    }

    private static boolean presentsCredentials(RoutingContext ctx) {
        return ctx.request().getHeader("X-Api-Key") != null
                || ctx.request().getHeader("Authorization") != null
                || ctx.request().getCookie(Sessions.COOKIE) != null;
    }

    private static boolean isSafe(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** The authenticated key of a request that passed the guard. */
    public static ApiKey caller(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    /** The page session of the request, if it came with one. */
    public static Sessions.Claims session(RoutingContext ctx) {
        return ctx.get(SESSION);
    }
}

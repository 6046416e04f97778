package io.facestream.match.api.audit;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One guarded request as the audit log sees it: who (key name, role, how authenticated), from where (the client's
 * address; a {@code X-Forwarded-For} header is recorded as claimed, not trusted), which route and path, what was
 * asked (path and query parameters, and what the handler adds), and the outcome. The route's guard starts it; the
 * response writes its line before anything is sent ({@link #finish}); a change writes a line before it is published
 * ({@link #beforeChange}) and another with its outcome.
 */
public final class Access {
    private static final String CTX = "facestream.access";

    private final AuditLog log;
    private final String route;
    private final String action;
    private final String client;
    private final String forwardedFor;
    private final String path;
    private String principal;
    private String role;
    private String auth;
    private final Map<String, Object> details = new LinkedHashMap<>();
    private final RoutingContext ctx;
    private volatile boolean changeRecorded;
    private volatile boolean finished;

    private Access(RoutingContext ctx, AuditLog log, String route, String action) {
        this.ctx = ctx;
        this.log = log;
        this.route = route;
        this.action = action;
        SocketAddress remote = ctx.request().remoteAddress();
        this.client = remote == null ? "unknown" : remote.hostAddress();
        String xff = ctx.request().getHeader("X-Forwarded-For");
        this.forwardedFor = xff == null ? null : xff.length() > 200 ? xff.substring(0, 200) : xff;
        this.path = ctx.request().path();
    }

    /** Starts the record of a request on a guarded route. */
    public static Access start(RoutingContext ctx, AuditLog log, String route, String action) {
        Access a = new Access(ctx, log, route, action);
        ctx.put(CTX, a);
        return a;
    }

    /** The request's record, or null on a route that is not audited. */
    public static Access of(RoutingContext ctx) {
        return ctx.get(CTX);
    }

    public String client() {
        return client;
    }

    /** Who is asking, once authenticated (the key's name is the principal). */
    public void principal(String name, String role, String auth) {
        this.principal = name;
        this.role = role;
        this.auth = auth;
    }

    /** The key's name once authenticated, else null. */
    public String principal() {
        return principal;
    }

    /** Something the line should say about the request (the gallery searched, the number of images, ...). */
    public synchronized Access detail(String key, Object value) {
        details.put(key, value);
        return this;
    }

    /**
     * Writes and syncs the line of a change about to be published, waiting for it (worker threads only). If it cannot
     * be written, this throws {@link AuditException}: the change must not be made.
     */
    public void beforeChange() {
        log.record(line("attempt", null));
        changeRecorded = true;
    }

    /** Whether a change's line was written (its outcome line then cannot hold the answer back). */
    public boolean changeRecorded() {
        return changeRecorded;
    }

    public boolean finished() {
        return finished;
    }

    /** Writes the outcome line; the response is sent when the future completes. */
    public CompletableFuture<AuditLog.Written> finish(int status) {
        finished = true;
        return log.append(line(outcome(status), status));
    }

    /** A later line about the same request, e.g. a live stream that ended. */
    public CompletableFuture<AuditLog.Written> after(String what, Map<String, ?> more) {
        Map<String, Object> l = line(what, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> d =
                (Map<String, Object>) l.computeIfAbsent("details", k -> new LinkedHashMap<String, Object>());
        d.putAll(more);
        return log.append(l);
    }

    private static String outcome(int status) {
        if (status < 400) {
            return "ok";
        }
        return status == 401 || status == 403 || status == 429 ? "refused" : "failed";
    }

    private synchronized Map<String, Object> line(String outcome, Integer status) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("principal", principal);
        l.put("role", role);
        l.put("auth", auth);
        l.put("client", client);
        l.put("forwarded_for", forwardedFor);
        l.put("route", route);
        l.put("action", action);
        l.put("path", path);
        l.put("outcome", outcome);
        l.put("status", status);
        Map<String, Object> d = new LinkedHashMap<>();
        try {
            ctx.pathParams().forEach(d::put);
            ctx.queryParams()
                    .forEach(e -> d.putIfAbsent(e.getKey(), e.getKey().equalsIgnoreCase("key") ? "***" : e.getValue()));
        } catch (RuntimeException malformed) {
            d.put("query", "unreadable");
        }
        d.putAll(details);
        if (!d.isEmpty()) {
            l.put("details", d);
        }
        return l;
    }
}

package io.facestream.match.api;

import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers the API's routes: each one is guard, then (for a route with a body) the body handler, then the route's
 * handler. The body handler never runs for a request the guard refuses, so an unauthenticated upload is not stored.
 */
final class Routes {
    /**
     * Set on a request while its body handler runs: a failure then is the client's malformed body (Netty's multipart
     * decoder throws e.g. an ArrayIndexOutOfBoundsException on a broken Content-Disposition), a 400, unless it is the
     * upload's I/O.
     */
    static final String DECODING_BODY = "facestream.decoding-body";

    private final Router router;
    private final Guard guard;
    private final BodyHandler json;
    private final BodyHandler multipart;
    private final List<RouteSpec> specs = new ArrayList<>();

    Routes(Router router, Guard guard, ApiLimits limits) {
        this.router = router;
        this.guard = guard;
        this.json = BodyHandler.create(false).setBodyLimit(limits.maxUploadBytes());
        this.multipart = BodyHandler.create(limits.uploadDirectory().toString())
                .setBodyLimit(limits.maxUploadBytes())
                .setDeleteUploadedFilesOnEnd(true);
    }

    Guard guard() {
        return guard;
    }

    /** A public route: no key, not audited. */
    void open(HttpMethod method, String path, Handler<RoutingContext> handler) {
        specs.add(new RouteSpec(method, path, null, null, null, RouteSpec.Body.NONE));
        router.route(method, path).handler(handler);
    }

    void add(
            HttpMethod method,
            String path,
            Role role,
            RouteClass routeClass,
            String action,
            RouteSpec.Body body,
            Handler<RoutingContext> handler) {
        RouteSpec spec = new RouteSpec(method, path, role, routeClass, action, body);
        specs.add(spec);
        var route = router.route(method, path).handler(guard.require(role, routeClass, spec.name(), action));
        BodyHandler decoder = switch (body) {
            case JSON -> json;
            case MULTIPART -> multipart;
            case NONE -> null;
        };
        if (decoder != null) {
            route.handler(ctx -> {
                ctx.put(DECODING_BODY, Boolean.TRUE);
                decoder.handle(ctx);
            });
            route.handler(ctx -> {
                ctx.remove(DECODING_BODY);
                ctx.next();
            });
        }
        route.handler(handler);
    }

    List<RouteSpec> specs() {
        return List.copyOf(specs);
    }
}

package io.facestream.match.api;

import io.vertx.ext.web.RoutingContext;

/**
 * Headers on every response: a Content-Security-Policy that lets the page load only its own script, style, images
 * and connections (no inline script, no framing), {@code X-Frame-Options: DENY}, {@code X-Content-Type-Options:
 * nosniff}, no referrer, and, over TLS, {@code Strict-Transport-Security}. API responses are not cached, except face
 * images, which are cached privately for a few minutes.
 */
final class SecurityHeaders {
    static final String CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String HSTS = "max-age=31536000";

    private final boolean tls;

    SecurityHeaders(boolean tls) {
        this.tls = tls;
    }

    void handle(RoutingContext ctx) {
        var h = ctx.response().headers();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Frame-Options", "DENY");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        if (tls) {
            h.set("Strict-Transport-Security", HSTS);
        }
        String path = ctx.request().path();
        if (path != null && path.startsWith("/api/")) {
            h.set("Cache-Control", "no-store");
        }
        ctx.next();
    }
}

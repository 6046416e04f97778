package io.facestream.match.api;

import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.vertx.core.http.HttpMethod;

/**
 * One route of the API as the router enforces it: the least role (null: public), the rate-limit class, the audit
 * action, and what body it reads. The OpenAPI document states the same ({@code x-facestream-role},
 * {@code x-facestream-rate-class}); a test keeps the two equal and checks every route with every kind of caller.
 *
 * @param path the router's path, {@code :name} for a path parameter
 */
public record RouteSpec(HttpMethod method, String path, Role role, RouteClass routeClass, String action, Body body) {
    /** What the route reads from the request body; only a body route stores anything, and only after the guard. */
    public enum Body {
        NONE,
        JSON,
        MULTIPART
    }

    /** {@code GET /api/matches}: how routes are named in audit lines and errors. */
    public String name() {
        return method.name() + " " + path;
    }

    /** The path as OpenAPI writes it: {@code {name}} for a parameter. */
    public String openApiPath() {
        return path.replaceAll(":([A-Za-z_]+)", "{$1}");
    }

    public boolean isPublic() {
        return role == null;
    }
}

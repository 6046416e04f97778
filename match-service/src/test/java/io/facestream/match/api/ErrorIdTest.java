package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A 500 answers with an error id only; what went wrong (which may name files, hosts or data) stays in the log. */
class ErrorIdTest {
    @Test
    void anInternalErrorAnswersWithAnIdAndNoDetails() throws Exception {
        Vertx vertx = Vertx.vertx();
        Router r = Router.router(vertx);
        r.route().handler(new SecurityHeaders(false)::handle);
        r.get("/boom").handler(ctx -> {
            throw new IllegalStateException("cannot open /var/lib/secret/gallery.idx for alice@example.org");
        });
        r.route().failureHandler(ApiRouter::failure);
        try (ApiServer server = ApiServer.start(vertx, r, "127.0.0.1", 0)) {
            HttpResponse<String> res = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/boom"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(500, res.statusCode());
            JsonNode body = Json.mapper().readTree(res.body());
            String id = body.get("error_id").asText();
            assertTrue(id.matches("[0-9a-f]{12}"), id);
            assertTrue(body.get("error").asText().contains(id), res.body());
            assertFalse(
                    res.body().contains("secret")
                            || res.body().contains("alice")
                            || res.body().contains("IllegalState"),
                    res.body());
            assertEquals(
                    "nosniff",
                    res.headers().firstValue("X-Content-Type-Options").orElse(""));
        }
    }
}

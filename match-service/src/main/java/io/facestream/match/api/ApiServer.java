package io.facestream.match.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/** The HTTP server of the API and the page; closing it stops Vert.x. */
public final class ApiServer implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;

    private ApiServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public static ApiServer start(Vertx vertx, Router router, String host, int port) {
        try {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true))
                    .requestHandler(router).listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new ApiServer(vertx, server);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot start the API on " + host + ":" + port + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}

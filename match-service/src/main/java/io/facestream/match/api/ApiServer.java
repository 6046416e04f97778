package io.facestream.match.api;

import io.facestream.core.config.FacestreamConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the API and the page, over TLS when {@code api.tls.cert} and {@code api.tls.key} name PEM files
 * (a certificate chain and its private key, PKCS#8 or PKCS#1); closing it stops Vert.x. Serving plain HTTP on an
 * address other than loopback is logged as a warning: keys, faces and names would cross the network in the clear.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final Vertx vertx;
    private final HttpServer server;
    private final boolean tls;

    /** PEM files of the server's certificate chain and private key. */
    public record Tls(Path cert, Path key) {
        /** From {@code api.tls.cert} and {@code api.tls.key}; null when both are empty (plain HTTP). */
        public static Tls from(FacestreamConfig c) {
            String cert = c.getString("api.tls.cert", "").trim();
            String key = c.getString("api.tls.key", "").trim();
            if (cert.isEmpty() && key.isEmpty()) {
                return null;
            }
            if (cert.isEmpty() || key.isEmpty()) {
                throw new IllegalArgumentException("TLS needs both api.tls.cert and api.tls.key (PEM files); got only "
                        + (cert.isEmpty() ? "api.tls.key" : "api.tls.cert"));
            }
            Tls t = new Tls(c.getPath("api.tls.cert"), c.getPath("api.tls.key"));
            for (Path p : new Path[] {t.cert(), t.key()}) {
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    throw new IllegalArgumentException(
                            (p == t.cert() ? "api.tls.cert " : "api.tls.key ") + p + " is not a readable file");
                }
            }
            return t;
        }
    }

    private ApiServer(Vertx vertx, HttpServer server, boolean tls) {
        this.vertx = vertx;
        this.server = server;
        this.tls = tls;
    }

    public static ApiServer start(Vertx vertx, Router router, String host, int port) {
        return start(vertx, router, host, port, null);
    }

    public static ApiServer start(Vertx vertx, Router router, String host, int port, Tls tls) {
        try {
            HttpServerOptions options = new HttpServerOptions().setCompressionSupported(true);
            if (tls != null) {
                options.setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(tls.cert().toString())
                                .setKeyPath(tls.key().toString()));
            }
            HttpServer server = vertx.createHttpServer(options)
                    .requestHandler(router)
                    .listen(port, host)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            if (isLoopback(host)) {
                LOG.info(
                        "the API listens on {} only: reachable from this host (api.host, --host; another address needs "
                                + "api.tls.cert and api.tls.key or a TLS proxy, docs/security.md)",
                        host);
            } else if (tls == null) {
                LOG.warn(
                        "the API listens on {} over plain HTTP: keys, session cookies, faces and names cross the network in "
                                + "the clear. Set api.tls.cert and api.tls.key, or bind to 127.0.0.1 behind a TLS proxy (docs/security.md)",
                        host);
            }
            return new ApiServer(vertx, server, tls != null);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException(
                    "cannot start the API on " + host + ":" + port + ": "
                            + (e.getCause() == null
                                    ? e.getMessage()
                                    : e.getCause().getMessage()),
                    e);
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }

    public int port() {
        return server.actualPort();
    }

    public boolean tls() {
        return tls;
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

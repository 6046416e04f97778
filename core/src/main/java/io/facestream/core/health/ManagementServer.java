package io.facestream.core.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port of a facestream process ({@code management.host}:{@code management.port}): {@code GET
 * /health/live} (200 while no component has FAILED, else 503), {@code GET /health/ready} (200 while every component is
 * UP, else 503), both with each component's state in the JSON body, and {@code GET /metrics} (Prometheus text). It is a
 * separate port from the API so that orchestrators and scrapers never need an API key, and binds to loopback unless
 * configured otherwise.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private final HttpServer server;
    private final List<Meter> meters;

    private ManagementServer(HttpServer server, List<Meter> meters) {
        this.server = server;
        this.meters = meters;
    }

    /** Serves {@code health} on the configured address; null when {@code management.port} is −1 (off). */
    public static ManagementServer start(FacestreamConfig config, HealthRegistry health) {
        int port = config.getInt("management.port");
        if (port < 0) {
            return null;
        }
        return start(config.getString("management.host"), port, health);
    }

    public static ManagementServer start(String host, int port, HealthRegistry health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the management port " + host + ":" + port
                            + " (in use? set management.port to a free port, 0 for any, -1 for none)",
                    e);
        }
        server.createContext("/health/live", ex -> health(ex, health, false));
        server.createContext("/health/ready", ex -> health(ex, health, true));
        server.createContext("/metrics", ex -> {
            if (refuse(ex)) {
                return;
            }
            reply(
                    ex,
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    Metrics.scrape().getBytes(StandardCharsets.UTF_8));
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "facestream-management");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        LOG.info(
                "management port on http://{}:{}/health/ready",
                host,
                server.getAddress().getPort());
        return new ManagementServer(server, healthMeters(health));
    }

    /**
     * {@code facestream_ready} and {@code facestream_live} (1 or 0, as the probes answer): a scraper sees a process
     * that is up but not doing its job without probing it separately.
     */
    private static List<Meter> healthMeters(HealthRegistry health) {
        return List.of(
                Gauge.builder("facestream.ready", health, h -> h.report().ready() ? 1 : 0)
                        .description("1 while every component of the process is UP (GET /health/ready answers 200)")
                        .strongReference(true)
                        .register(Metrics.registry()),
                Gauge.builder("facestream.live", health, h -> h.report().live() ? 1 : 0)
                        .description("1 while no component of the process has FAILED (GET /health/live answers 200)")
                        .strongReference(true)
                        .register(Metrics.registry()));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, HealthRegistry health, boolean readiness) throws IOException {
        if (refuse(ex)) {
            return;
        }
        HealthRegistry.Report report = health.report();
        boolean ok = readiness ? report.ready() : report.live();
        reply(ex, ok ? 200 : 503, "application/json", Json.mapper().writeValueAsBytes(report.toJson(readiness)));
    }

    /** Only GET (and HEAD) of the exact paths. */
    private static boolean refuse(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
            reply(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().add("Allow", "GET, HEAD");
            reply(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            return true;
        }
        return false;
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        meters.forEach(Metrics.registry()::remove);
    }
}

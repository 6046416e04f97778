package io.facestream.ingest;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.security.Redact;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import io.facestream.ingest.camera.CameraSpec;
import io.facestream.ingest.metrics.CameraMetrics;
import io.facestream.ingest.metrics.MetricsLog;
import io.facestream.ingest.publish.FramePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many cameras in one process, each on its own thread, all writing through one producer. A camera that cannot start
 * (bad id, missing file) or fails later is reported as failed; the others keep running.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final CameraMetrics.Snapshot NOTHING = new CameraMetrics.Snapshot("-", 0, 0, 0, 0, 0, 0, 0);

    private final FramePublisher publisher;
    private final Map<String, CameraRun> runs = new LinkedHashMap<>();
    private final Map<String, Thread> threads = new LinkedHashMap<>();
    private final List<CameraMetrics> metrics = new ArrayList<>();
    private final List<CameraStatus> invalid = new ArrayList<>();
    private final MetricsLog metricsLog;
    private final ExecutorService encoders;
    private final int encodeDepth;
    private boolean closed;

    private IngestService(FramePublisher publisher, Duration logInterval, int encoderThreads) {
        this.publisher = publisher;
        this.metricsLog = new MetricsLog(logInterval, () -> List.copyOf(metrics));
        int threads = encoderThreads > 0
                ? encoderThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        AtomicInteger n = new AtomicInteger();
        this.encoders = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ingest-jpeg-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // enough frames in flight per camera to keep every encoder busy, few enough to bound memory (a 4K BGR frame is
        // 24 MB)
        this.encodeDepth = Math.min(8, threads + 1);
    }

    /**
     * The cameras of the config's {@code cameras} section with the {@code ingest.*} defaults, publishing to
     * {@code bootstrap} with the config's Kafka client properties.
     */
    public static IngestService fromConfig(FacestreamConfig config, String bootstrap) {
        return start(
                KafkaConnection.fromConfig(config, bootstrap),
                CameraRequest.fromConfigSection(config.section("cameras")),
                CameraOptions.fromConfig(config),
                config.getDuration("metrics.log-interval"),
                config.getInt("ingest.encoder-threads"));
    }

    /** Like {@link #start(KafkaConnection, List, CameraOptions, Duration, int)} with one encoder thread per two cores. */
    public static IngestService start(
            KafkaConnection kafka, List<CameraRequest> cameras, CameraOptions defaults, Duration logInterval) {
        return start(kafka, cameras, defaults, logInterval, 0);
    }

    /** The same with Kafka's default client settings (PLAINTEXT). */
    public static IngestService start(
            String bootstrap, List<CameraRequest> cameras, CameraOptions defaults, Duration logInterval) {
        return start(KafkaConnection.of(bootstrap), cameras, defaults, logInterval, 0);
    }

    /**
     * Starts every valid camera; invalid ones are logged once and reported by {@link #statuses()} as failed.
     *
     * @param encoderThreads JPEG encoder threads shared by all cameras; 0 = one per two cores
     */
    public static IngestService start(
            KafkaConnection kafka,
            List<CameraRequest> cameras,
            CameraOptions defaults,
            Duration logInterval,
            int encoderThreads) {
        IngestService service =
                new IngestService(FramePublisher.connect(kafka, "facestream-ingest"), logInterval, encoderThreads);
        Set<String> ids = new HashSet<>();
        for (CameraRequest request : cameras) {
            CameraSpec spec;
            try {
                spec = CameraSpec.resolve(request, defaults);
                if (!ids.add(spec.id().value())) {
                    throw new IllegalArgumentException("camera '" + Redact.credentials(request.text()) + "': id "
                            + spec.id() + " is used by another camera");
                }
            } catch (IllegalArgumentException e) {
                LOG.error("camera not started: {}", Redact.credentials(e.getMessage()));
                service.invalid.add(new CameraStatus(
                        Redact.credentials(request.text()),
                        CameraStatus.State.FAILED,
                        Redact.credentials(e.getMessage()),
                        NOTHING));
                continue;
            }
            service.launch(spec);
        }
        return service;
    }

    private synchronized void launch(CameraSpec spec) {
        CameraMetrics m = new CameraMetrics(spec.id());
        metrics.add(m);
        CameraRun run = new CameraRun(spec, publisher, m, encoders, encodeDepth);
        Thread t = new Thread(run, "ingest-" + spec.id().value());
        t.setDaemon(true);
        runs.put(spec.id().value(), run);
        threads.put(spec.id().value(), t);
        t.start();
    }

    /** Every camera, invalid ones first. */
    /** UP while no camera has FAILED; a failed camera makes the process not ready (DOWN) but keeps the others going. */
    public io.facestream.core.health.Health health() {
        List<CameraStatus> all = statuses();
        List<String> failed = all.stream()
                .filter(c -> c.state() == CameraStatus.State.FAILED)
                .map(c -> c.camera() + ": " + c.error())
                .toList();
        if (!failed.isEmpty()) {
            return io.facestream.core.health.Health.down(
                    failed.size() + " of " + all.size() + " camera(s) failed: " + String.join("; ", failed));
        }
        long running = all.stream()
                .filter(c -> c.state() == CameraStatus.State.RUNNING)
                .count();
        return io.facestream.core.health.Health.up(running + " of " + all.size() + " camera(s) running");
    }

    public synchronized List<CameraStatus> statuses() {
        List<CameraStatus> all = new ArrayList<>(invalid);
        runs.values().forEach(r -> all.add(r.status()));
        return all;
    }

    /** The status of one started camera. */
    public synchronized CameraStatus status(String cameraId) {
        CameraRun run = runs.get(cameraId);
        if (run == null) {
            throw new IllegalArgumentException("no running camera '" + cameraId + "'");
        }
        return run.status();
    }

    /** Waits until every camera has ended (recorded input finished or failed); true if they all did in time. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : List.copyOf(threads.values())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            t.join(Math.max(1, left / 1_000_000));
            if (t.isAlive()) {
                return false;
            }
        }
        publisher.flush();
        return true;
    }

    /** Waits for every frame sent so far to be acknowledged. */
    public void flush() {
        publisher.flush();
    }

    /** Stops every camera, waits for their threads, flushes and closes the producer. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        runs.values().forEach(CameraRun::stop);
        for (Thread t : threads.values()) {
            try {
                t.join(10_000);
                if (t.isAlive()) {
                    LOG.warn("{} did not stop within 10 s", t.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        encoders.shutdown();
        publisher.close();
        metricsLog.close();
        metrics.forEach(CameraMetrics::close);
    }
}

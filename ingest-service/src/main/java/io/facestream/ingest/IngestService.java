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
import io.facestream.ingest.publish.JpegEncoder;
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
    private final JpegEncoder jpeg;
    private final int encodeDepth;
    /** Config cameras by id, so a topic camera that overrode one and is removed again gives it back. */
    private final Map<String, CameraRequest> configured = new LinkedHashMap<>();
    /** Where each known camera comes from: "config" or "topic". */
    private final Map<String, String> origins = new LinkedHashMap<>();
    /** Topic cameras that are paused: known, not read. Value: the masked source. */
    private final Map<String, String> paused = new LinkedHashMap<>();
    /** Topic cameras whose spec was refused (bad source, bad option): id -> status. */
    private final Map<String, CameraStatus> refused = new LinkedHashMap<>();

    private CameraOptions defaults;
    private CameraFollower follower;
    private boolean closed;

    private IngestService(FramePublisher publisher, Duration logInterval, int encoderThreads, JpegEncoder jpeg) {
        this.publisher = publisher;
        this.jpeg = jpeg;
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
        KafkaConnection kafka = KafkaConnection.fromConfig(config, bootstrap);
        IngestService service = start(
                kafka,
                CameraRequest.fromConfigSection(config.section("cameras")),
                CameraOptions.fromConfig(config),
                config.getDuration("metrics.log-interval"),
                Encoding.fromConfig(config));
        if (!config.getBoolean("ingest.follow-cameras")) {
            return service;
        }
        try {
            return service.followCameras(kafka, config.getDuration("ingest.status-interval"));
        } catch (IllegalStateException e) {
            // the configured cameras keep running; only the API's cameras are missing
            LOG.error(
                    "not following {}: {} (the ingest user needs Read and Describe on it and Write and Describe on {},"
                            + " docs/security.md; or set ingest.follow-cameras: false)",
                    io.facestream.core.topics.TopicCatalog.CAMERAS,
                    e.getMessage(),
                    io.facestream.core.topics.TopicCatalog.CAMERA_STATUS);
            return service;
        }
    }

    /**
     * Also runs the cameras of {@code facestream.cameras} (read from the beginning, then followed): a spec starts its
     * camera, a changed spec restarts it, a paused one stops reading but stays known, a tombstone stops and forgets
     * it. A topic camera replaces a config camera of the same id. Every camera's status is written to
     * {@code facestream.camera-status} every {@code statusInterval} and on each change.
     */
    public IngestService followCameras(KafkaConnection kafka, Duration statusInterval) {
        synchronized (this) {
            if (follower != null) {
                throw new IllegalStateException("already following the cameras topic");
            }
        }
        CameraFollower f = CameraFollower.start(kafka, this, statusInterval);
        synchronized (this) {
            follower = f;
        }
        return this;
    }

    /**
     * How kept frames become JPEG, process-wide: {@code ingest.encoder-threads} threads shared by all cameras (0 = one per
     * two cores) and the {@code ingest.jpeg-encoder} route.
     */
    public record Encoding(int threads, JpegEncoder.Kind jpeg) {
        /** One thread per two cores, TurboJPEG when installed. */
        public static final Encoding DEFAULT = new Encoding(0, JpegEncoder.Kind.AUTO);

        public static Encoding fromConfig(FacestreamConfig config) {
            return new Encoding(
                    config.getInt("ingest.encoder-threads"),
                    JpegEncoder.Kind.parse(config.getString("ingest.jpeg-encoder")));
        }
    }

    /** Like {@link #start(KafkaConnection, List, CameraOptions, Duration, Encoding)} with {@link Encoding#DEFAULT}. */
    public static IngestService start(
            KafkaConnection kafka, List<CameraRequest> cameras, CameraOptions defaults, Duration logInterval) {
        return start(kafka, cameras, defaults, logInterval, Encoding.DEFAULT);
    }

    /** The same with Kafka's default client settings (PLAINTEXT). */
    public static IngestService start(
            String bootstrap, List<CameraRequest> cameras, CameraOptions defaults, Duration logInterval) {
        return start(KafkaConnection.of(bootstrap), cameras, defaults, logInterval, Encoding.DEFAULT);
    }

    /**
     * Starts every valid camera; invalid ones are logged once and reported by {@link #statuses()} as failed.
     *
     * @param encoding the JPEG encoder threads and route
     * @throws IllegalStateException when {@code encoding} asks for TurboJPEG and it is not installed
     */
    public static IngestService start(
            KafkaConnection kafka,
            List<CameraRequest> cameras,
            CameraOptions defaults,
            Duration logInterval,
            Encoding encoding) {
        // before connecting: a missing library fails the start, with nothing to close
        JpegEncoder jpeg = JpegEncoder.of(encoding.jpeg());
        if (encoding.jpeg() == JpegEncoder.Kind.AUTO && jpeg == JpegEncoder.OPENCV) {
            LOG.info(
                    "JPEG through OpenCV (BGR first): {}. TurboJPEG encodes video frames from their planes, faster",
                    JpegEncoder.unavailableReason());
        }
        IngestService service = new IngestService(
                FramePublisher.connect(kafka, "facestream-ingest"), logInterval, encoding.threads(), jpeg);
        service.defaults = defaults;
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
            service.configured.put(spec.id().value(), request);
            service.origins.put(spec.id().value(), "config");
            service.launch(spec);
        }
        return service;
    }

    /**
     * Applies one record of the cameras topic: {@code spec} null is a tombstone. Returns false when nothing changed
     * (the same spec again, e.g. the topic read from the beginning after a restart).
     */
    synchronized boolean apply(String id, io.facestream.core.events.CameraSpec spec) {
        if (closed) {
            return false;
        }
        if (spec == null) {
            if (!"topic".equals(origins.get(id))) {
                return false;
            }
            forget(id);
            LOG.info("camera {}: removed", id);
            CameraRequest config = configured.get(id);
            if (config != null) {
                // the topic camera overrode this config camera: with it gone, the config one runs again
                origins.put(id, "config");
                launch(CameraSpec.resolve(config, defaults));
            }
            return true;
        }
        String text = id + "=" + spec.getSource();
        if (!spec.getOptionsMap().isEmpty()) {
            text += ";"
                    + String.join(
                            ";",
                            spec.getOptionsMap().entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .toList());
        }
        if ("topic".equals(origins.get(id))
                && text.equals(topicTexts.get(id))
                && spec.getPaused() == paused.containsKey(id)
                && !refused.containsKey(id)) {
            return false;
        }
        forget(id);
        origins.put(id, "topic");
        topicTexts.put(id, text);
        if (spec.getPaused()) {
            paused.put(id, Redact.credentials(spec.getSource()));
            LOG.info("camera {}: paused", id);
            return true;
        }
        try {
            launch(CameraSpec.resolve(new CameraRequest(text, id, spec.getSource(), spec.getOptionsMap()), defaults));
        } catch (IllegalArgumentException e) {
            String why = Redact.credentials(e.getMessage());
            LOG.error("camera not started: {}", why);
            refused.put(id, new CameraStatus(id, CameraStatus.State.FAILED, why, NOTHING));
        }
        return true;
    }

    private final Map<String, String> topicTexts = new LinkedHashMap<>();

    /** Stops the camera's run (waiting for its thread) and drops everything known about it. */
    private void forget(String id) {
        CameraRun run = runs.remove(id);
        Thread t = threads.remove(id);
        if (run != null) {
            run.stop();
        }
        if (t != null) {
            try {
                t.join(10_000);
                if (t.isAlive()) {
                    LOG.warn("{} did not stop within 10 s", t.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (run != null) {
            metrics.removeIf(m -> {
                if (m.snapshot().camera().equals(id)) {
                    m.close();
                    return true;
                }
                return false;
            });
        }
        paused.remove(id);
        refused.remove(id);
        topicTexts.remove(id);
        origins.remove(id);
    }

    /** What the status topic says about every known camera: id -> its report (see {@link CameraFollower}). */
    synchronized List<CameraReport> reports() {
        List<CameraReport> out = new ArrayList<>();
        runs.forEach((id, run) -> out.add(new CameraReport(
                id,
                origins.getOrDefault(id, "config"),
                Redact.credentials(run.spec().source().location()),
                run.status(),
                run.lastFrameMicros(),
                run.lastError())));
        paused.forEach((id, source) -> out.add(new CameraReport(
                id, "topic", source, new CameraStatus(id, CameraStatus.State.STOPPED, null, NOTHING), 0, null)));
        refused.forEach((id, status) -> out.add(new CameraReport(id, "topic", "", status, 0, status.error())));
        return out;
    }

    /** The ids of the cameras known now (running, paused or refused). */
    synchronized Set<String> known() {
        Set<String> ids = new java.util.LinkedHashSet<>(runs.keySet());
        ids.addAll(paused.keySet());
        ids.addAll(refused.keySet());
        return ids;
    }

    /** Whether a topic camera is paused. */
    synchronized boolean isPaused(String id) {
        return paused.containsKey(id);
    }

    /** One camera as the status topic reports it. */
    record CameraReport(
            String id, String origin, String source, CameraStatus status, long lastFrameMicros, String lastError) {}

    private synchronized void launch(CameraSpec spec) {
        CameraMetrics m = new CameraMetrics(spec.id());
        metrics.add(m);
        CameraRun run = new CameraRun(spec, publisher, m, encoders, jpeg, encodeDepth);
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
        return io.facestream.core.health.Health.up(
                running + " of " + all.size() + " camera(s) running, JPEG through " + jpeg.name());
    }

    public synchronized List<CameraStatus> statuses() {
        List<CameraStatus> all = new ArrayList<>(invalid);
        all.addAll(refused.values());
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
        List<Thread> all;
        synchronized (this) {
            all = List.copyOf(threads.values());
        }
        for (Thread t : all) {
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
    public void close() {
        CameraFollower f;
        synchronized (this) {
            f = follower;
        }
        if (f != null) {
            // outside the lock: the follower's thread may be applying a record, which takes it
            f.close();
        }
        closeCameras();
    }

    private synchronized void closeCameras() {
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

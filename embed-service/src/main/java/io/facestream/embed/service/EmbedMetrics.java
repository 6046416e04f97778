package io.facestream.embed.service;

import io.facestream.core.metrics.BoundedTag;
import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the embed service, in the process's one registry (Prometheus) and as plain totals for logs and tests.
 * Per-camera counters carry a {@code camera} tag; nothing the service drops goes uncounted.
 */
public final class EmbedMetrics {
    /**
     * Running totals; {@link #snapshot()} copies them.
     *
     * @param inferenceNanos time spent inside the embedder: over a time window, its share of the window is how much
     *                       of the service thread went to inference (what the rest of the pipeline leaves over)
     */
    public record Totals(
            long frames,
            long faces,
            long rejected,
            long skippedLate,
            long deadLetters,
            long batches,
            long inferenceNanos,
            long caughtUp,
            long catchUpExpired) {}

    private final MeterRegistry registry = Metrics.registry();
    private final Timer inference = Timer.builder("facestream.embed.inference")
            .description("ONNX inference time per batch")
            .publishPercentileHistogram()
            .register(registry);
    private final DistributionSummary batchFill = DistributionSummary.builder("facestream.embed.batch.fill")
            .description("faces per inference batch / max batch")
            .register(registry);
    private final Timer faceLatency = Timer.builder("facestream.embed.face.latency")
            .description(
                    "capture time of a frame to its live face committed to facestream.faces (catch-up faces not counted)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .serviceLevelObjectives(
                    Duration.ofMillis(100),
                    Duration.ofMillis(250),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5))
            .register(registry);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final BoundedTag cameraTag = BoundedTag.cameras();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong faces = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong skippedLate = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong inferenceNanos = new AtomicLong();
    private final AtomicLong consumerLag = new AtomicLong();
    private final AtomicLong caughtUp = new AtomicLong();
    private final AtomicLong catchUpExpired = new AtomicLong();

    EmbedMetrics(String instance) {
        // tagged by instance: several services (tests, an all-in-one JVM) may share the one registry
        registry.gauge(
                "facestream.embed.consumer.lag",
                java.util.List.of(io.micrometer.core.instrument.Tag.of("instance", instance)),
                consumerLag);
    }

    void frame(String camera) {
        frames.incrementAndGet();
        counter("facestream.embed.frames", camera).increment();
    }

    void face(String camera) {
        faces.incrementAndGet();
        counter("facestream.embed.faces", camera).increment();
    }

    void rejected(String camera) {
        rejected.incrementAndGet();
        counter("facestream.embed.faces.rejected", camera).increment();
    }

    void skippedLate(String camera) {
        skippedLate.incrementAndGet();
        counter("facestream.embed.frames.skipped.late", camera).increment();
    }

    /** A late frame embedded by the catch-up pass. */
    void caughtUp(String camera) {
        caughtUp.incrementAndGet();
        counter("facestream.embed.frames.caught.up", camera).increment();
    }

    /** A late frame the catch-up pass reached only after {@code embed.service.catch-up.max-age}: never embedded. */
    void catchUpExpired(String camera) {
        catchUpExpired.incrementAndGet();
        counter("facestream.embed.frames.catch.up.expired", camera).increment();
    }

    void deadLetter(String camera) {
        deadLetters.incrementAndGet();
        counter("facestream.embed.frames.dlq", camera).increment();
    }

    void progressFrame(String camera) {
        counter("facestream.embed.progress.frames", camera).increment();
    }

    void silenceReported(String camera) {
        counter("facestream.embed.progress.silences", camera).increment();
    }

    void clamped(String camera) {
        counter("facestream.embed.frames.clock.clamped", camera).increment();
    }

    /** Faces of frames captured at {@code captureMillis} are in facestream.faces at {@code nowMillis}. */
    void facesWritten(java.util.List<Long> captureMillis, long nowMillis) {
        for (long t : captureMillis) {
            faceLatency.record(Math.max(0, nowMillis - t), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    void failedTransaction() {
        registry.counter("facestream.embed.transactions.failed").increment();
    }

    void batch(int size, int maxBatch, Duration inferenceTime) {
        batches.incrementAndGet();
        batchFill.record(size / (double) maxBatch);
        inference.record(inferenceTime);
        inferenceNanos.addAndGet(inferenceTime.toNanos());
    }

    void consumerLag(long lag) {
        consumerLag.set(lag);
    }

    public Totals snapshot() {
        return new Totals(
                frames.get(),
                faces.get(),
                rejected.get(),
                skippedLate.get(),
                deadLetters.get(),
                batches.get(),
                inferenceNanos.get(),
                caughtUp.get(),
                catchUpExpired.get());
    }

    /**
     * The counter of a camera. The camera comes from a record's key, which any producer chooses: the tag is bounded
     * ({@link BoundedTag#cameras()}: a key that is no camera id counts as {@code invalid}, cameras past the bound as
     * {@code other}), so a producer cannot grow the registry or put text into the exposition.
     */
    private Counter counter(String name, String rawCamera) {
        String camera = cameraTag.of(rawCamera);
        return counters.computeIfAbsent(
                name + "|" + camera,
                k -> Counter.builder(name).tag("camera", camera).register(registry));
    }
}

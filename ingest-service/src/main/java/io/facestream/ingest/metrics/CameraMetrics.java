package io.facestream.ingest.metrics;

import io.facestream.core.events.CameraId;
import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One camera's counters, registered in {@link Metrics#registry()} as {@code facestream.ingest.frames{camera,outcome}}
 * (outcome = read, sent, skipped, errors), {@code facestream.ingest.gaps}, and gauges {@code facestream.ingest.fps}
 * (frames sent per second over the last log interval) and {@code facestream.ingest.lag.ms} (broker acknowledgement
 * time minus capture time of the latest frame; negative while a fast replay runs ahead of the clock).
 */
public final class CameraMetrics implements AutoCloseable {
    private final CameraId camera;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile double fps;
    private long sentAtTick;
    private long tickNanos = System.nanoTime();
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;

    public CameraMetrics(CameraId camera) {
        this(camera, Metrics.registry());
    }

    CameraMetrics(CameraId camera, MeterRegistry registry) {
        this.camera = camera;
        this.registry = registry;
        counter("read", read);
        counter("sent", sent);
        counter("skipped", skipped);
        counter("errors", errors);
        meters.add(FunctionCounter.builder("facestream.ingest.gaps", gaps, AtomicLong::doubleValue)
                .description("live connections lost")
                .tag("camera", camera.value())
                .register(registry));
        meters.add(Gauge.builder("facestream.ingest.fps", this, CameraMetrics::fps)
                .description("frames sent per second")
                .tag("camera", camera.value())
                .register(registry));
        meters.add(Gauge.builder("facestream.ingest.lag.ms", lagMillis, AtomicLong::doubleValue)
                .description("acknowledged minus captured, latest frame")
                .tag("camera", camera.value())
                .register(registry));
    }

    private void counter(String outcome, AtomicLong value) {
        meters.add(FunctionCounter.builder("facestream.ingest.frames", value, AtomicLong::doubleValue)
                .description("frames by outcome")
                .tag("camera", camera.value())
                .tag("outcome", outcome)
                .register(registry));
    }

    public void read() {
        read.incrementAndGet();
    }

    public void sent(long captureMicros) {
        sent.incrementAndGet();
        lagMillis.set(System.currentTimeMillis() - captureMicros / 1000);
    }

    public void skipped() {
        skipped.incrementAndGet();
    }

    public void error() {
        errors.incrementAndGet();
    }

    public void gap() {
        gaps.incrementAndGet();
    }

    /** Recomputes the fps gauge from the frames sent since the previous tick. */
    public synchronized void tick() {
        long now = System.nanoTime();
        long s = sent.get();
        if (now > tickNanos) {
            fps = (s - sentAtTick) * 1e9 / (now - tickNanos);
        }
        sentAtTick = s;
        tickNanos = now;
    }

    public double fps() {
        return fps;
    }

    public Snapshot snapshot() {
        return new Snapshot(
                camera.value(), read.get(), sent.get(), skipped.get(), errors.get(), gaps.get(), fps, lagMillis.get());
    }

    /** The counters at one moment. */
    public record Snapshot(
            String camera, long read, long sent, long skipped, long errors, long gaps, double fps, long lagMillis) {
        @Override
        public String toString() {
            return String.format(
                    "camera %s: read %d, sent %d, skipped %d, errors %d, gaps %d, %.1f fps, lag %d ms",
                    camera, read, sent, skipped, errors, gaps, fps, lagMillis);
        }
    }

    /** Removes this camera's meters, so a camera started again later begins from zero. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}

package io.facestream.ingest.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every camera's counters each {@code metrics.log-interval}, and once more when stopped. */
public final class MetricsLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);

    private final Supplier<Collection<CameraMetrics>> cameras;
    private final ScheduledExecutorService timer;

    public MetricsLog(Duration interval, Supplier<Collection<CameraMetrics>> cameras) {
        this.cameras = cameras;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-metrics-log");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, interval.toMillis());
        timer.scheduleAtFixedRate(this::log, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void log() {
        for (CameraMetrics m : cameras.get()) {
            m.tick();
            LOG.info("{}", m.snapshot());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        log();
    }
}

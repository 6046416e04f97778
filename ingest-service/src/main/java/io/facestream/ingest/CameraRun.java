package io.facestream.ingest;

import io.facestream.core.security.Redact;
import io.facestream.ingest.camera.CameraSpec;
import io.facestream.ingest.camera.FrameSampler;
import io.facestream.ingest.metrics.CameraMetrics;
import io.facestream.ingest.publish.EncodeQueue;
import io.facestream.ingest.publish.FramePublisher;
import io.facestream.ingest.publish.JpegEncoder;
import io.facestream.ingest.source.FrameSink;
import io.facestream.ingest.source.Picture;
import io.facestream.ingest.source.SourceException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera on its own thread: source → sampler → JPEG → publisher. A failure ends only this camera, with one
 * error line naming it and the cause.
 */
final class CameraRun implements FrameSink, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CameraRun.class);

    private final CameraSpec spec;
    private final FramePublisher publisher;
    private final CameraMetrics metrics;
    private final FrameSampler sampler;
    private final AtomicBoolean sendFailureLogged = new AtomicBoolean();
    private volatile boolean stop;
    private volatile CameraStatus.State state = CameraStatus.State.RUNNING;
    private volatile String error;
    /** Capture time (µs) of the latest frame the broker acknowledged; 0 before the first. */
    private volatile long lastFrameMicros;
    /** The latest problem short of failing (a lost connection), masked; the failure itself once failed. */
    private volatile String lastError;

    private final EncodeQueue encodeQueue;
    /** Index of the next frame read from the source: the {@code fs.seq} of the frames that are sent. */
    private long seq;

    CameraRun(
            CameraSpec spec,
            FramePublisher publisher,
            CameraMetrics metrics,
            ExecutorService encoders,
            JpegEncoder jpeg,
            int encodeDepth) {
        this.spec = spec;
        this.publisher = publisher;
        this.metrics = metrics;
        this.sampler = new FrameSampler(spec.options().fps());
        this.encodeQueue = new EncodeQueue(encoders, jpeg, spec.options(), encodeDepth, this::send);
    }

    @Override
    public void run() {
        String id = spec.id().value();
        LOG.info(
                "camera {}: reading {} ({}, {} fps, {})",
                id,
                spec.source().location(),
                spec.source().getClass().getSimpleName(),
                spec.options().fps() == 0 ? "every frame at" : spec.options().fps(),
                spec.source().live() ? "live" : spec.options().replay().name().toLowerCase() + " replay");
        try {
            spec.source().stream(spec.options(), this);
            encodeQueue.drain();
            publisher.flush(); // so the end-of-input line counts acknowledged frames
            state = stop ? CameraStatus.State.STOPPED : CameraStatus.State.FINISHED;
            LOG.info(
                    "camera {}: {} ({})",
                    id,
                    state == CameraStatus.State.STOPPED ? "stopped" : "end of input",
                    metrics.snapshot());
        } catch (SourceException e) {
            // the frames before the failure are delivered before it is reported
            encodeQueue.drain();
            publisher.flush();
            fail(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            fail("unexpected " + e);
        }
    }

    private void fail(String message) {
        message = Redact.credentials(message);
        error = message;
        lastError = message;
        state = CameraStatus.State.FAILED;
        LOG.error("camera {} failed: {}", spec.id().value(), message);
    }

    @Override
    public boolean wants(long captureMicros) {
        return sampler.due(captureMicros);
    }

    @Override
    public void accept(Picture picture, long captureMicros) {
        long frameSeq = seq++;
        metrics.read();
        sampler.took(captureMicros);
        encodeQueue.submit(frameSeq, captureMicros, picture);
    }

    /** An encoded frame, in capture order, on this camera's thread. */
    private void send(EncodeQueue.Encoded frame) {
        long frameSeq = frame.seq();
        long captureMicros = frame.captureMicros();
        if (frame.error() != null) {
            metrics.error();
            LOG.warn(
                    "camera {}: frame {} not sent: {}",
                    spec.id().value(),
                    frameSeq,
                    frame.error().getMessage());
            return;
        }
        publisher.publish(spec.id(), frameSeq, captureMicros, frame.jpeg(), (meta, ex) -> {
            if (ex == null) {
                metrics.sent(captureMicros);
                lastFrameMicros = Math.max(lastFrameMicros, captureMicros);
            } else {
                metrics.error();
                // the first failure is logged in full; later ones show in the periodic counters
                if (sendFailureLogged.compareAndSet(false, true)) {
                    LOG.warn(
                            "camera {}: frame {} not written to Kafka: {}",
                            spec.id().value(),
                            frameSeq,
                            ex.toString());
                }
            }
        });
    }

    @Override
    public void skipped(long captureMicros) {
        seq++;
        metrics.read();
        metrics.skipped();
    }

    @Override
    public void unreadable(String item, String reason) {
        seq++;
        metrics.read();
        metrics.error();
        LOG.warn("camera {}: skipped {}: {}", spec.id().value(), item, reason);
    }

    @Override
    public void gap(String cause) {
        metrics.gap();
        lastError = Redact.credentials("connection lost: " + cause);
        LOG.warn("camera {}: connection lost ({}); reconnecting", spec.id().value(), cause);
    }

    @Override
    public boolean stopping() {
        return stop || Thread.currentThread().isInterrupted();
    }

    CameraSpec spec() {
        return spec;
    }

    long lastFrameMicros() {
        return lastFrameMicros;
    }

    String lastError() {
        return lastError;
    }

    void stop() {
        stop = true;
    }

    CameraStatus status() {
        return new CameraStatus(spec.id().value(), state, error, metrics.snapshot());
    }
}

package io.facestream.ingest.source;

import io.facestream.core.security.Redact;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.Reconnect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a live FFmpeg input flowing: when the connection ends or cannot be made, it waits with exponential backoff
 * and tries again, up to {@link Reconnect#maxAttempts()} tries in a row; a connection that delivers frames resets the
 * count. Each outage of a connection that was delivering is one gap.
 */
final class ReconnectLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectLoop.class);

    private ReconnectLoop() {}

    static void run(String input, String format, CameraOptions options, FrameSink sink) throws SourceException {
        Reconnect policy = options.reconnect();
        String shown = Redact.credentials(input);
        int failures = 0;
        String lastCause;
        Pacer noPacing = new Pacer(false);
        while (true) {
            long frames = 0;
            try (FfmpegStream in = FfmpegStream.open(input, format, options, true)) {
                frames = in.pump(sink, ts -> ts, noPacing, true).frames();
                lastCause = "the stream ended";
            } catch (SourceException e) {
                lastCause = e.getMessage();
            }
            if (sink.stopping()) {
                return;
            }
            if (frames > 0) {
                failures = 0;
                sink.gap(lastCause);
            }
            failures++;
            if (failures > policy.maxAttempts()) {
                throw new SourceException(shown
                        + (frames > 0 || failures > 1
                                ? " is still unreachable after " + policy.maxAttempts() + " reconnect attempts: "
                                : " failed: ")
                        + lastCause);
            }
            long wait = policy.backoff(failures).toMillis();
            LOG.info(
                    "{}: {}; reconnecting in {} ms (attempt {} of {})",
                    shown,
                    lastCause,
                    wait,
                    failures,
                    policy.maxAttempts());
            long until = System.nanoTime() + wait * 1_000_000;
            while (System.nanoTime() < until && !sink.stopping()) {
                try {
                    Thread.sleep(Math.min(50, wait));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (sink.stopping()) {
                return;
            }
        }
    }
}

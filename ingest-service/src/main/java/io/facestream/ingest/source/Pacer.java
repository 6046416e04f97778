package io.facestream.ingest.source;

/** Realtime replay: holds each recorded frame back until its capture time, relative to the first, has passed. */
final class Pacer {
    private final boolean enabled;
    private long firstCapture = Long.MIN_VALUE;
    private long wallStartNanos;

    Pacer(boolean enabled) {
        this.enabled = enabled;
    }

    void await(long captureMicros, FrameSink sink) {
        if (!enabled) {
            return;
        }
        if (firstCapture == Long.MIN_VALUE) {
            firstCapture = captureMicros;
            wallStartNanos = System.nanoTime();
            return;
        }
        long dueNanos = wallStartNanos + (captureMicros - firstCapture) * 1000;
        // short sleeps so that a stop is seen within ~100 ms even on a 1 fps image directory
        for (long wait = dueNanos - System.nanoTime();
                wait > 0 && !sink.stopping();
                wait = dueNanos - System.nanoTime()) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, wait / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package io.facestream.ingest.camera;

/**
 * Keeps frames at a target rate by capture time: a frame is due when its capture time reaches the next slot. Slots
 * follow the capture clock, not the frame count, so variable-rate streams and gaps sample evenly, and after a gap the
 * sampler starts again from the next frame instead of bursting to catch up.
 */
public final class FrameSampler {
    /** Timestamps of real streams jitter by rounding; a millisecond of slack keeps 30 fps -> 5 fps at every 6th frame. */
    private static final long SLACK_MICROS = 1_000;

    private final long periodMicros;
    private long nextDue = Long.MIN_VALUE;

    /** {@code fps <= 0} keeps every frame. */
    public FrameSampler(double fps) {
        this.periodMicros = fps > 0 ? Math.round(1_000_000.0 / fps) : 0;
    }

    /** Whether a frame captured at this time would be kept; does not change the sampler. */
    public boolean due(long captureMicros) {
        return periodMicros == 0 || nextDue == Long.MIN_VALUE || captureMicros >= nextDue - SLACK_MICROS;
    }

    /** Records that the frame captured at this time was kept. */
    public void took(long captureMicros) {
        if (periodMicros == 0) {
            return;
        }
        nextDue = nextDue == Long.MIN_VALUE ? captureMicros + periodMicros : nextDue + periodMicros;
        if (nextDue <= captureMicros) {
            nextDue = captureMicros + periodMicros;
        }
    }
}

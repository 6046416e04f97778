package io.facestream.ingest.camera;

import io.facestream.core.health.Backoff;
import java.time.Duration;

/**
 * Bounded reconnection of live sources: after a lost or refused connection, up to {@code maxAttempts} tries, waiting
 * {@code initialBackoff}, then twice as long each time, capped at {@code maxBackoff}.
 */
public record Reconnect(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public Reconnect {
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("reconnect max-attempts must be >= 0, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("reconnect backoff must satisfy 0 <= initial-backoff (" + initialBackoff
                    + ") <= max-backoff (" + maxBackoff + ")");
        }
    }

    /** The wait before try number {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
        return new Backoff(initialBackoff, maxBackoff).delay(attempt);
    }
}

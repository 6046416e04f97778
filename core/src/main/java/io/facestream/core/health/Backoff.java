package io.facestream.core.health;

import java.time.Duration;

/**
 * The capped doubling of every retry loop that heals a component while its health is DOWN (the gallery replica and
 * the match history after IO errors, the embed service's failed transactions, a camera's reconnects): the wait before
 * retry number {@code attempt} (1-based) is {@code first}, then twice as long each time, never more than {@code max}.
 */
public record Backoff(Duration first, Duration max) {
    /** The wait before retry number {@code attempt}, counted from 1. */
    public Duration delay(int attempt) {
        long cap = max.toMillis();
        long ms = first.toMillis();
        for (int i = 1; i < attempt && ms < cap; i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, cap));
    }

    /**
     * Whether an attempt is worth a log line: the first, then every power of two, so a loop that retries for hours
     * writes a few dozen lines, not thousands.
     */
    public static boolean worthLogging(int attempt) {
        return attempt == 1 || Integer.bitCount(attempt) == 1;
    }
}

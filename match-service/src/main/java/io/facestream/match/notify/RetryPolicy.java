package io.facestream.match.notify;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;

/**
 * How often and how patiently a notification is tried ({@code notify.retry.*}): attempt {@code n} (from 1) that
 * failed is followed by a pause of {@code initialBackoff × multiplier^(n-1)}, at most {@code maxBackoff}; after
 * {@code attempts} failures the decision goes to the dead-letter topic.
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("notify.retry.attempts must be at least 1, got " + attempts);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "notify.retry.max-backoff (" + maxBackoff + ") is shorter than notify.retry.initial-backoff ("
                            + initialBackoff + "): raise max-backoff or lower initial-backoff");
        }
    }

    public static RetryPolicy fromConfig(FacestreamConfig config) {
        return new RetryPolicy(
                config.getInt("notify.retry.attempts"),
                config.getDuration("notify.retry.initial-backoff"),
                config.getDuration("notify.retry.max-backoff"),
                config.getDouble("notify.retry.multiplier"));
    }

    /** The pause after failed attempt {@code attempt} (1-based). */
    public Duration backoffAfter(int attempt) {
        double ms = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 1);
        return ms >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis((long) ms);
    }
}

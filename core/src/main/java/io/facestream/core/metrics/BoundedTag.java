package io.facestream.core.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The values one metric tag may take, bounded: a value that fails the check becomes {@value #INVALID}, and once
 * {@code maxValues} distinct values have been seen every new one becomes {@value #OTHER}. A tag fed from input (a
 * record's key, a header) can otherwise grow the registry, and every scrape, without limit, or carry any text into
 * the exposition.
 */
public final class BoundedTag {
    public static final String INVALID = "invalid";
    public static final String OTHER = "other";
    /** Default bound of per-camera tags: far more cameras than one process serves. */
    public static final int DEFAULT_MAX_VALUES = 512;

    private final Predicate<String> valid;
    private final int maxValues;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    public BoundedTag(Predicate<String> valid, int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("maxValues must be >= 1, got " + maxValues);
        }
        this.valid = valid;
        this.maxValues = maxValues;
    }

    /** Camera ids ({@code CameraId}'s rule), at most {@link #DEFAULT_MAX_VALUES} of them. */
    public static BoundedTag cameras() {
        return new BoundedTag(v -> v.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), DEFAULT_MAX_VALUES);
    }

    /** The tag value to use for this raw value. */
    public String of(String raw) {
        if (raw == null || !valid.test(raw)) {
            return INVALID;
        }
        if (seen.contains(raw)) {
            return raw;
        }
        synchronized (seen) {
            if (seen.size() >= maxValues && !seen.contains(raw)) {
                return OTHER;
            }
            seen.add(raw);
        }
        return raw;
    }
}

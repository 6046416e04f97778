package io.facestream.core.logging;

import org.slf4j.MDC;

/**
 * The ids a log line is about, as SLF4J MDC entries (top-level fields of a JSON log line, {@code logging.format=json}):
 * {@value #CAMERA}, {@value #TRACK}, {@value #MATCH} and {@value #TRACE_ID}. Always these four keys and nothing else,
 * each value cut to {@value #MAX_VALUE} characters, so the context stays small whatever a record carries; a scope
 * restores what it found when it closes, so nothing leaks into the next record or onto a pooled thread:
 *
 * <pre>{@code try (LogContext ignored = LogContext.of(camera, null, null, trace.traceId())) { LOG.warn(...); }}</pre>
 */
public final class LogContext implements AutoCloseable {
    public static final String CAMERA = "camera";
    public static final String TRACK = "track";
    public static final String MATCH = "match";
    public static final String TRACE_ID = "trace_id";
    static final int MAX_VALUE = 128;
    private static final String[] KEYS = {CAMERA, TRACK, MATCH, TRACE_ID};

    private final String[] previous = new String[KEYS.length];

    private LogContext(String... values) {
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = MDC.get(KEYS[i]);
            put(KEYS[i], values[i]);
        }
    }

    /** Sets all four keys for the scope; a null value leaves its key out. */
    public static LogContext of(String camera, String track, String match, String traceId) {
        return new LogContext(camera, track, match, traceId);
    }

    /** Restores the four keys as they were when the scope opened. */
    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            put(KEYS[i], previous[i]);
        }
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE));
        }
    }
}

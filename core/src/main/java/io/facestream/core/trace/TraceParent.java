package io.facestream.core.trace;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A W3C Trace Context {@code traceparent} value ({@code 00-<trace id>-<parent span id>-<flags>}): the one header that
 * lets a sighting be followed from its frame through its faces to the decision. It is the standard header, so an
 * OpenTelemetry collector or any W3C-aware tool joins these traces without facestream exporting spans itself.
 *
 * @param traceId 32 lower-case hex digits, not all zero: the same on a frame, its faces and their decisions
 * @param spanId  16 lower-case hex digits, not all zero: this record's own span, the parent of the next hop's
 * @param flags   the trace flags byte; bit 0 = sampled
 */
public record TraceParent(String traceId, String spanId, int flags) {
    /** The Kafka header (and HTTP header) name, as W3C spells it. */
    public static final String HEADER = "traceparent";

    private static final int SAMPLED = 0x01;
    private static final int LENGTH = 55; // "00-" + 32 + "-" + 16 + "-" + 2

    public TraceParent {
        if (!isHex(traceId, 32) || isZero(traceId)) {
            throw new IllegalArgumentException("trace id must be 32 lower-case hex digits, not all zero: " + traceId);
        }
        if (!isHex(spanId, 16) || isZero(spanId)) {
            throw new IllegalArgumentException("span id must be 16 lower-case hex digits, not all zero: " + spanId);
        }
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("trace flags are one byte, got " + flags);
        }
    }

    /** A new trace, sampled: what a frame gets when it enters the system. */
    public static TraceParent root() {
        return new TraceParent(randomHex(32), randomHex(16), SAMPLED);
    }

    /** The next hop of the same trace: same trace id and flags, a new span id (this one is its parent). */
    public TraceParent child() {
        return new TraceParent(traceId, randomHex(16), flags);
    }

    public boolean sampled() {
        return (flags & SAMPLED) != 0;
    }

    /** The header value, version 00. */
    public String format() {
        return "00-" + traceId + "-" + spanId + "-" + String.format(Locale.ROOT, "%02x", flags);
    }

    @Override
    public String toString() {
        return format();
    }

    /**
     * Reads a header value by the W3C rules: version 00 is exactly 55 characters; a later version may append fields
     * after a dash, which are ignored; version {@code ff}, upper-case hex and all-zero ids are invalid. Never throws.
     */
    public static Optional<TraceParent> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.length() < LENGTH
                || v.charAt(2) != '-'
                || v.charAt(35) != '-'
                || v.charAt(52) != '-'
                || !isHex(v.substring(0, 2), 2)) {
            return Optional.empty();
        }
        String version = v.substring(0, 2);
        if (version.equals("ff")
                || (version.equals("00") && v.length() != LENGTH)
                || (v.length() > LENGTH && v.charAt(LENGTH) != '-')) {
            return Optional.empty();
        }
        String traceId = v.substring(3, 35);
        String spanId = v.substring(36, 52);
        String flags = v.substring(53, 55);
        if (!isHex(traceId, 32) || isZero(traceId) || !isHex(spanId, 16) || isZero(spanId) || !isHex(flags, 2)) {
            return Optional.empty();
        }
        return Optional.of(new TraceParent(traceId, spanId, Integer.parseInt(flags, 16)));
    }

    private static String randomHex(int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(digits);
        do {
            sb.setLength(0);
            for (int i = 0; i < digits; i += 16) {
                String part = Long.toHexString(random.nextLong());
                sb.append("0".repeat(16 - part.length())).append(part);
            }
            sb.setLength(digits);
        } while (isZero(sb)); // an all-zero id is invalid; one in 2^64 draws
        return sb.toString();
    }

    private static boolean isHex(String s, int digits) {
        if (s == null || s.length() != digits) {
            return false;
        }
        for (int i = 0; i < digits; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}

package io.facestream.core.trace;

import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The {@code traceparent} header on Kafka records. A record that arrives without one (a third-party producer such as
 * kcat) or with one that is not valid W3C trace context starts a new trace where it is read; the bad value is never
 * passed on and never stops the record. Each replacement is counted as
 * {@code facestream_traceparent_replaced_total{stage,reason}} (reason {@code missing} or {@code malformed}).
 */
public final class TraceHeaders {
    /** Why a record's trace was started where it was read, or that it came with one. */
    public enum Outcome {
        CARRIED,
        MISSING,
        MALFORMED
    }

    /** The trace a consumed record belongs to: its own span (to be the parent of what is made from it). */
    public record Incoming(TraceParent trace, Outcome outcome) {}

    private TraceHeaders() {}

    /**
     * The record's trace: its {@code traceparent} when valid, else a new one (counted for {@code stage}).
     *
     * @param stage a fixed word naming the reader, e.g. {@code embed}
     */
    public static Incoming read(Headers headers, String stage) {
        Header h = headers == null ? null : headers.lastHeader(TraceParent.HEADER);
        if (h == null || h.value() == null) {
            count(stage, "missing");
            return new Incoming(TraceParent.root(), Outcome.MISSING);
        }
        return TraceParent.parse(new String(h.value(), StandardCharsets.UTF_8))
                .map(t -> new Incoming(t, Outcome.CARRIED))
                .orElseGet(() -> {
                    count(stage, "malformed");
                    return new Incoming(TraceParent.root(), Outcome.MALFORMED);
                });
    }

    /** The valid {@code traceparent} of these headers, or null; counts nothing. */
    public static TraceParent peek(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(TraceParent.HEADER);
        return h == null || h.value() == null
                ? null
                : TraceParent.parse(new String(h.value(), StandardCharsets.UTF_8))
                        .orElse(null);
    }

    /** Puts {@code trace} as the one {@code traceparent} of these headers, replacing any other. */
    public static Headers set(Headers headers, TraceParent trace) {
        headers.remove(TraceParent.HEADER);
        headers.add(TraceParent.HEADER, encode(trace));
        return headers;
    }

    public static byte[] encode(TraceParent trace) {
        return trace.format().getBytes(StandardCharsets.US_ASCII);
    }

    private static void count(String stage, String reason) {
        Counter.builder("facestream.traceparent.replaced")
                .description("records read without a valid W3C traceparent header, given a new trace, by reader")
                .tag("stage", stage)
                .tag("reason", reason)
                .register(Metrics.registry())
                .increment();
    }
}

package io.facestream.core.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
    static final String EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void parsesAndFormatsTheW3cExample() {
        TraceParent t = TraceParent.parse(EXAMPLE).orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00f067aa0ba902b7", t.spanId());
        assertEquals(1, t.flags());
        assertTrue(t.sampled());
        assertEquals(EXAMPLE, t.format());
        assertEquals(Optional.of(t), TraceParent.parse(" " + EXAMPLE + " "), "surrounding blanks are ignored");
        assertEquals(
                0,
                TraceParent.parse(EXAMPLE.replace("-01", "-00")).orElseThrow().flags());
    }

    @Test
    void aRootIsANewSampledTraceInTheW3cShape() {
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            TraceParent t = TraceParent.root();
            assertTrue(t.format().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), t.format());
            assertEquals(Optional.of(t), TraceParent.parse(t.format()));
            traces.add(t.traceId());
        }
        assertEquals(1000, traces.size(), "every frame its own trace");
    }

    @Test
    void aChildKeepsTheTraceAndFlagsWithANewSpan() {
        TraceParent parent = TraceParent.parse(EXAMPLE.replace("-01", "-00")).orElseThrow();
        TraceParent child = parent.child();
        assertEquals(parent.traceId(), child.traceId());
        assertEquals(parent.flags(), child.flags());
        assertNotEquals(parent.spanId(), child.spanId());
        assertNotEquals(child.spanId(), child.child().spanId());
    }

    @Test
    void aLaterVersionMayAppendFields() {
        TraceParent t = TraceParent.parse("cc" + EXAMPLE.substring(2) + "-what-the-future-holds")
                .orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00", t.format().substring(0, 2), "written back as the version this code knows");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "garbage",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has no more fields
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
                "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", // dash in the wrong place
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x" // a later version's fields follow a dash
            })
    void refusesWhatIsNotW3cTraceContext(String value) {
        assertEquals(Optional.empty(), TraceParent.parse(value));
    }

    @Test
    void theRecordRefusesBadIds() {
        assertThrows(IllegalArgumentException.class, () -> new TraceParent("abc", "00f067aa0ba902b7", 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 256));
        assertNull(TraceParent.parse(null).orElse(null));
    }

    @Test
    void headersCarryAValidTraceAndReplaceAMissingOrMalformedOneCountingIt() {
        RecordHeaders h = new RecordHeaders();
        h.add(TraceParent.HEADER, EXAMPLE.getBytes(StandardCharsets.US_ASCII));
        TraceHeaders.Incoming carried = TraceHeaders.read(h, "trace-test");
        assertEquals(TraceHeaders.Outcome.CARRIED, carried.outcome());
        assertEquals(EXAMPLE, carried.trace().format());

        double malformedBefore = replaced("malformed");
        RecordHeaders bad = new RecordHeaders();
        bad.add(TraceParent.HEADER, "00-not-a-trace".getBytes(StandardCharsets.US_ASCII));
        TraceHeaders.Incoming replaced = TraceHeaders.read(bad, "trace-test");
        assertEquals(TraceHeaders.Outcome.MALFORMED, replaced.outcome());
        assertTrue(replaced.trace().format().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));
        assertEquals(malformedBefore + 1, replaced("malformed"));
        assertNull(TraceHeaders.peek(bad));

        double missingBefore = replaced("missing");
        assertEquals(
                TraceHeaders.Outcome.MISSING,
                TraceHeaders.read(new RecordHeaders(), "trace-test").outcome());
        assertEquals(missingBefore + 1, replaced("missing"));

        TraceHeaders.set(bad, replaced.trace());
        assertEquals(1, bad.toArray().length, "one traceparent, the bad one gone");
        assertEquals(replaced.trace(), TraceHeaders.peek(bad));
    }

    private static double replaced(String reason) {
        var c = Metrics.registry()
                .find("facestream.traceparent.replaced")
                .tags("stage", "trace-test", "reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }
}

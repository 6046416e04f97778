package io.facestream.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {

    @Test
    void aScopeSetsItsKeysAndRestoresWhatItFound() {
        MDC.put("other", "kept");
        try (LogContext outer = LogContext.of("cam", "3", null, "abc")) {
            assertEquals("cam", MDC.get(LogContext.CAMERA));
            assertNull(MDC.get(LogContext.MATCH));
            try (LogContext inner = LogContext.of("cam", "3", "cam/3/final", null)) {
                assertEquals("cam/3/final", MDC.get(LogContext.MATCH));
                assertNull(MDC.get(LogContext.TRACE_ID));
            }
            assertEquals("abc", MDC.get(LogContext.TRACE_ID));
            assertNull(MDC.get(LogContext.MATCH));
        }
        assertNull(MDC.get(LogContext.CAMERA));
        assertNull(MDC.get(LogContext.TRACK));
        assertNull(MDC.get(LogContext.TRACE_ID));
        assertEquals("kept", MDC.get("other"), "keys of others are not touched");
        MDC.remove("other");
    }

    @Test
    void valuesAreCutSoTheContextStaysSmall() {
        try (LogContext ignored = LogContext.of("x".repeat(1000), null, null, null)) {
            assertEquals(LogContext.MAX_VALUE, MDC.get(LogContext.CAMERA).length());
        }
        assertNull(MDC.get(LogContext.CAMERA));
    }
}

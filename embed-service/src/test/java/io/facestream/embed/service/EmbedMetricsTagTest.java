package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.metrics.Metrics;
import org.junit.jupiter.api.Test;

/** A frame's key is chosen by whoever produces it: as a metric tag it is bounded, never copied raw. */
class EmbedMetricsTagTest {
    @Test
    void aKeyThatIsNoCameraIdIsCountedAsInvalid() {
        EmbedMetrics metrics = new EmbedMetrics("tag-test");
        metrics.deadLetter("evil\"} 1\n# injected");
        String scrape = Metrics.scrape();
        assertFalse(scrape.contains("injected"), "the raw key reached the exposition");
        assertTrue(scrape.matches("(?s).*facestream_embed_frames_dlq_total\\{camera=\"invalid\"\\}.*"), scrape);
    }
}

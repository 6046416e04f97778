package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The poll timeout of a batch that is already past its deadline is zero, never negative (poll refuses those). */
class PollWaitTest {
    @Test
    void whatIsLeftOfTheBatchWaitIsNeverNegative() {
        assertEquals(Duration.ofMillis(30), EmbedService.remaining(Duration.ofMillis(50), Duration.ofMillis(20)));
        assertEquals(Duration.ZERO, EmbedService.remaining(Duration.ofMillis(50), Duration.ofMillis(50)));
        assertEquals(Duration.ZERO, EmbedService.remaining(Duration.ofMillis(50), Duration.ofNanos(51_300_000)));
    }
}

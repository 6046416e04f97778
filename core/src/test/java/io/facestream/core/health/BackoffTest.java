package io.facestream.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheFirstWaitUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        assertEquals(
                List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L),
                IntStream.rangeClosed(1, 8).mapToObj(a -> b.delay(a).toMillis()).toList());
        assertEquals(5000L, b.delay(10_000).toMillis(), "no overflow however many attempts");
        assertEquals(
                0L, new Backoff(Duration.ZERO, Duration.ofSeconds(1)).delay(5).toMillis());
    }

    @Test
    void logsTheFirstAttemptThenEveryPowerOfTwo() {
        assertEquals(
                List.of(1, 2, 4, 8, 16),
                IntStream.rangeClosed(1, 20)
                        .filter(Backoff::worthLogging)
                        .boxed()
                        .toList());
    }
}

package io.facestream.trainer.cycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleTest {
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 7, 20, 30, 0, ZoneOffset.UTC); // a Sunday

    @Test
    void periodsAndCronExpressionsGiveTheNextWakeUp() {
        assertEquals(NOW.plusHours(24), Schedule.parse("24h").next(NOW));
        assertEquals(new Schedule.Every(Duration.ofMinutes(30)), Schedule.parse("30m"));
        assertEquals(
                ZonedDateTime.of(2026, 11, 23, 3, 0, 0, 0, ZoneOffset.UTC),
                Schedule.parse("0 3 * * *").next(NOW));
        assertEquals(
                ZonedDateTime.of(2026, 11, 22, 7, 30, 0, 0, ZoneOffset.UTC),
                Schedule.parse("*/15 * * * *").next(NOW));
        // Saturdays at 02:30 (day of week 6)
        assertEquals(
                ZonedDateTime.of(2026, 11, 28, 2, 30, 0, 0, ZoneOffset.UTC),
                Schedule.parse("30 2 * * 6").next(NOW));
        // 7 is Sunday too; the next Sunday 06:00 is a week away
        assertEquals(
                ZonedDateTime.of(2026, 11, 29, 6, 0, 0, 0, ZoneOffset.UTC),
                Schedule.parse("0 6 * * 7").next(NOW));
        // both day fields restricted: either matches (the 1st of the month or a Monday)
        assertEquals(
                ZonedDateTime.of(2026, 11, 23, 0, 0, 0, 0, ZoneOffset.UTC),
                Schedule.parse("0 0 1 * 1").next(NOW));
        assertEquals(
                ZonedDateTime.of(2028, 2, 29, 0, 0, 0, 0, ZoneOffset.UTC),
                Schedule.parse("0 0 29 2 *").next(NOW));
    }

    @Test
    void badSchedulesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.parse("61 * * * *"))
                .getMessage()
                .contains("'61'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.parse("daily"))
                .getMessage()
                .contains("neither a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.parse("10s"))
                .getMessage()
                .contains("shorter than a minute"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> Schedule.parse("0 0 31 2 *").next(NOW))
                .getMessage()
                .contains("never fires"));
    }

    @Test
    void triggerCountsNewSamplesSinceTheLastRunAcrossRestarts(@TempDir Path work) {
        TrainingTrigger t = TrainingTrigger.load(work, 10);
        assertFalse(t.due(9));
        assertTrue(t.due(10));
        t.ranAt(10, work);
        TrainingTrigger restarted = TrainingTrigger.load(work, 10);
        assertEquals(10, restarted.samplesAtLastRun());
        assertEquals(5, restarted.newSamples(15));
        assertFalse(restarted.due(19));
        assertTrue(restarted.due(20));
        assertEquals(0, restarted.newSamples(4), "withdrawn feedback is not new data");
        assertThrows(IllegalArgumentException.class, () -> TrainingTrigger.load(work, 0));
    }
}

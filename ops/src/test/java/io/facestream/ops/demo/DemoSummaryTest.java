package io.facestream.ops.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The demo's verdict: a false-alarm rate above the target FPIR is a failed run with its own exit code and line. */
class DemoSummaryTest {

    private static DemoSummary summary(int falseAlarms, int unknown) {
        Map<Outcome, Integer> tracks = new EnumMap<>(Outcome.class);
        Map<Outcome, Set<String>> people = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            tracks.put(o, 0);
            people.put(o, new TreeSet<>());
        }
        tracks.put(Outcome.HIT, 4);
        tracks.put(Outcome.FALSE_ALARM, falseAlarms);
        tracks.put(Outcome.UNKNOWN, unknown);
        int notEnrolled = falseAlarms + unknown;
        return new DemoSummary(tracks, people, 4, 4, (double) falseAlarms / notEnrolled, notEnrolled, List.of());
    }

    @Test
    void falseAlarmRateAboveTheTargetFailsWithExitCode3AndSaysWhy() {
        DemoSummary.Verdict v = summary(4, 9).verdict(0.05);
        assertFalse(v.met());
        assertEquals(3, v.exitCode());
        assertEquals(
                "demo: FAILED: false-alarm rate on people not enrolled 0.308 (4 of 13 tracks) is above the target FPIR 0.050 "
                        + "(exit code 3)",
                v.line());
    }

    @Test
    void rateWithinTheTargetExitsZero() {
        DemoSummary.Verdict none = summary(0, 7).verdict(0.05);
        assertTrue(none.met());
        assertEquals(0, none.exitCode());
        assertTrue(
                none.line()
                        .startsWith("demo: target met: false-alarm rate on people not enrolled 0.000 (0 of 7 tracks)"),
                none.line());
        assertTrue(summary(1, 19).verdict(0.05).met(), "exactly at the target is within it");
    }
}

package io.facestream.match.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The embed service's progress records in the tracker: the camera's clock, reported silence, and the stall limit. */
class TrackerProgressTest {
    private static final long T0 = 1_000_000_000L;
    private final Tracker tracker = new Tracker(new TrackerSettings(
            0.3,
            0.2,
            0.55,
            Duration.ofSeconds(2),
            Duration.ofMillis(500),
            Duration.ofSeconds(5),
            3,
            Duration.ofMinutes(2)));

    private static Sighting face(long frame, long tsUs) {
        float[] f = {20, 0, 0, 0};
        return new Sighting("cam", frame, tsUs, new Region(100, 100, 50, 50), f, 20, false, "m:1", "faces/0/" + frame);
    }

    private CameraTracks oneTrack(boolean reportsProgress) {
        CameraTracks s = CameraTracks.fresh();
        for (int f = 0; f < 3; f++) {
            s = tracker.observe(s, face(f, T0 + f * 100_000L), 1_000, reportsProgress)
                    .state();
        }
        return s;
    }

    @Test
    void aFrameWithoutFacesMovesTheClockLikeAFace() {
        CameraTracks s = oneTrack(true);
        assertTrue(s.progress());
        // last face at T0 + 0.2 s: still open 2.5 s later (close-after + reorder window), closed just past it
        Tracker.Step same = tracker.progress(s, "cam", T0 + 200_000 + 2_500_000, 0, 2_000);
        assertTrue(same.events().isEmpty());
        assertEquals(T0 + 2_700_000, same.state().maxTsUs());
        Tracker.Step past = tracker.progress(same.state(), "cam", T0 + 200_000 + 2_500_001, 0, 2_000);
        assertEquals(1, past.events().size());
        assertInstanceOf(TrackEvent.Closed.class, past.events().get(0));
        assertTrue(past.state().open().isEmpty());
    }

    @Test
    void reportedSilenceClosesEveryTrackOnceItReachesIdleClose() {
        CameraTracks s = oneTrack(true);
        Tracker.Step shortSilence = tracker.progress(s, "cam", T0 + 200_000, 4_999, 60_000);
        assertTrue(shortSilence.events().isEmpty());
        Tracker.Step silent = tracker.progress(shortSilence.state(), "cam", T0 + 200_000, 5_000, 61_000);
        assertEquals(1, silent.events().size());
        assertEquals(2, silent.state().nextTrackId());
        assertEquals(61_000, silent.state().lastArrivalMs());
    }

    @Test
    void wallClockClosesAfterIdleCloseWithoutProgressAndAfterStallCloseWithIt() {
        CameraTracks legacy = oneTrack(false);
        assertFalse(legacy.progress());
        assertTrue(tracker.closeIfIdle("cam", legacy, 1_000 + 4_999).events().isEmpty());
        assertEquals(
                1, tracker.closeIfIdle("cam", legacy, 1_000 + 5_000).events().size());

        CameraTracks reporting = oneTrack(true);
        assertTrue(
                tracker.closeIfIdle("cam", reporting, 1_000 + 119_999).events().isEmpty());
        Tracker.Step stalled = tracker.closeIfIdle("cam", reporting, 1_000 + 120_000);
        assertEquals(1, stalled.events().size());
        assertTrue(stalled.state().progress());
    }
}

package io.facestream.match.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackerTest {
    private static final long FRAME_US = 40_000; // 25 fps
    private final Tracker tracker = new Tracker(new TrackerSettings(0.3, 0.2, 0.55,
            Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), 3));

    private CameraTracks state = CameraTracks.fresh();
    private final List<TrackEvent> events = new ArrayList<>();

    private static float[] person(int who, float norm, double noise, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[8];
        v[who] = 1;
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (noise * r.nextGaussian());
        }
        double n = Math.sqrt(java.util.stream.IntStream.range(0, 8).mapToDouble(i -> v[i] * v[i]).sum());
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / n * norm);
        }
        return v;
    }

    private Tracker.Step see(long frame, Region box, float[] feature, boolean rejected) {
        Sighting s = new Sighting("cam", frame, 1_000_000_000L + frame * FRAME_US, box, feature,
                (float) io.facestream.core.vector.Vectors.norm(feature), rejected, "m:1", "faces/0/" + frame);
        Tracker.Step step = tracker.observe(state, s, 0);
        state = step.state();
        events.addAll(step.events());
        return step;
    }

    @Test
    void movingFaceStaysOneTrackAndBecomesConfidentOnce() {
        for (int f = 0; f < 10; f++) {
            see(f, new Region(100 + 5 * f, 100, 50, 50), person(0, 20, 0.05, f), false);
        }
        assertEquals(1, state.open().size());
        Track t = state.open().get(0);
        assertEquals(10, t.acceptedFaces());
        assertEquals(1, events.size());
        assertInstanceOf(TrackEvent.Confident.class, events.get(0));
        assertEquals(3, events.get(0).track().acceptedFaces(), "provisional after the 3rd accepted face");
    }

    @Test
    void twoPeopleSideBySideGetTwoTracks() {
        for (int f = 0; f < 5; f++) {
            see(f, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), false);
            see(f, new Region(400, 100, 50, 50), person(1, 20, 0.05, 100 + f), false);
        }
        assertEquals(2, state.open().size());
        assertEquals(List.of(5, 5), state.open().stream().map(Track::acceptedFaces).toList());
    }

    @Test
    void crossingPeopleAreNotMergedBecauseAppearanceDiffers() {
        for (int f = 0; f < 4; f++) {
            see(f, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), false);
        }
        // someone else appears exactly where the first person is (overlap 1.0) but looks orthogonal
        see(4, new Region(100, 100, 50, 50), person(1, 20, 0.05, 99), false);
        assertEquals(2, state.open().size());
    }

    @Test
    void reacquiresAfterShortOcclusionByAppearance() {
        for (int f = 0; f < 3; f++) {
            see(f, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), false);
        }
        // 1 s later, far away (no overlap), same person
        see(25, new Region(600, 300, 50, 50), person(0, 20, 0.05, 77), false);
        assertEquals(1, state.open().size());
        assertEquals(4, state.open().get(0).acceptedFaces());
    }

    @Test
    void rejectedFacesKeepTheTrackButNeverEnterTheTemplate() {
        see(0, new Region(100, 100, 50, 50), person(0, 20, 0.0, 0), false);
        see(1, new Region(102, 100, 50, 50), person(3, 5, 0.0, 1), true);
        see(2, new Region(104, 100, 50, 50), person(3, 5, 0.0, 2), true);
        assertEquals(1, state.open().size());
        Track t = state.open().get(0);
        assertEquals(3, t.observed());
        assertEquals(1, t.acceptedFaces());
        assertEquals(0.0, t.template().sum()[3], "rejected features are not in the sum");
        assertEquals(104, t.lastBox().x(), 0.0, "but they move the track");
    }

    @Test
    void trackClosesWhenCaptureTimeMovesPastTheGap() {
        for (int f = 0; f < 3; f++) {
            see(f, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), false);
        }
        // 2 s gap + 0.5 s reorder window + a bit: the first track closes, a new one opens for the new face
        see(3 + 70, new Region(100, 100, 50, 50), person(1, 20, 0.05, 5), false);
        assertInstanceOf(TrackEvent.Closed.class, events.get(events.size() - 1));
        TrackEvent.Closed closed = (TrackEvent.Closed) events.get(events.size() - 1);
        assertEquals(1, closed.track().id());
        assertEquals(1, state.open().size());
        assertEquals(2, state.open().get(0).id(), "ids are never reused");
    }

    @Test
    void slightlyLateFaceStillCountsButTooLateIsReported() {
        see(10, new Region(100, 100, 50, 50), person(0, 20, 0.05, 1), false);
        see(11, new Region(101, 100, 50, 50), person(0, 20, 0.05, 2), false);
        // frame 9 arrives after frame 11: 80 ms late, inside the 500 ms window
        Tracker.Step step = see(9, new Region(99, 100, 50, 50), person(0, 20, 0.05, 3), false);
        assertFalse(step.late());
        Track t = state.open().get(0);
        assertEquals(3, t.acceptedFaces());
        assertEquals(101, t.lastBox().x(), 0.0, "a late face does not move the box back");
        assertEquals(1_000_000_000L + 9 * FRAME_US, t.startTsUs());
        // a face 1 s older than the newest is late
        CameraTracks before = state;
        Tracker.Step tooLate = see(-15, new Region(100, 100, 50, 50), person(0, 20, 0.05, 4), false);
        assertTrue(tooLate.late());
        assertEquals(before, state);
    }

    @Test
    void bestFaceIsTheHighestNormAcceptedFace() {
        see(0, new Region(100, 100, 50, 50), person(0, 12, 0.0, 0), false);
        see(1, new Region(100, 100, 50, 50), person(0, 30, 0.0, 0), false);
        see(2, new Region(100, 100, 50, 50), person(0, 18, 0.0, 0), false);
        see(3, new Region(100, 100, 50, 50), person(0, 99, 0.0, 0), true);
        assertEquals("faces/0/1", state.open().get(0).best().ref());
    }

    @Test
    void idleCameraClosesItsTracksByWallClock() {
        see(0, new Region(100, 100, 50, 50), person(0, 20, 0.05, 0), false);
        assertTrue(tracker.closeIfIdle("cam", state, 4_999).events().isEmpty());
        Tracker.Step step = tracker.closeIfIdle("cam", state, 5_000);
        assertEquals(1, step.events().size());
        assertTrue(step.state().open().isEmpty());
        assertEquals(2, step.state().nextTrackId());
    }

    @Test
    void trackWithOnlyRejectedFacesHasNoBestFace() {
        see(0, new Region(100, 100, 50, 50), person(0, 5, 0.0, 0), true);
        assertNull(state.open().get(0).best());
        assertEquals(0, state.open().get(0).acceptedFaces());
    }
}

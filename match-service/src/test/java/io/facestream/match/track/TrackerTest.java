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
    private final Tracker tracker = new Tracker(new TrackerSettings(
            0.3, 0.2, 0.55, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), 3));

    private CameraTracks state = CameraTracks.fresh();
    private final List<TrackEvent> events = new ArrayList<>();

    private static float[] person(int who, float norm, double noise, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[8];
        v[who] = 1;
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (noise * r.nextGaussian());
        }
        double n = Math.sqrt(java.util.stream.IntStream.range(0, 8)
                .mapToDouble(i -> v[i] * v[i])
                .sum());
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / n * norm);
        }
        return v;
    }

    private Tracker.Step see(long frame, Region box, float[] feature, boolean rejected) {
        Sighting s = new Sighting(
                "cam",
                frame,
                1_000_000_000L + frame * FRAME_US,
                box,
                feature,
                (float) io.facestream.core.vector.Vectors.norm(feature),
                rejected,
                "m:1",
                "faces/0/" + frame);
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
        assertEquals(
                List.of(5, 5), state.open().stream().map(Track::acceptedFaces).toList());
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
        // the few best accepted faces, highest norm first; the rejected one is none of them
        assertEquals(
                java.util.List.of("faces/0/1", "faces/0/2", "faces/0/0"),
                state.open().get(0).bests().stream().map(BestFace::ref).toList());
        see(4, new Region(100, 100, 50, 50), person(0, 25, 0.0, 0), false);
        see(5, new Region(100, 100, 50, 50), person(0, 10, 0.0, 0), false);
        assertEquals(
                java.util.List.of("faces/0/1", "faces/0/4", "faces/0/2"),
                state.open().get(0).bests().stream().map(BestFace::ref).toList(),
                "at most " + Track.BEST_FACES);
    }

    @Test
    void aTrackStoredBeforeItKeptItsBestFacesHasItsBestFaceAlone() throws Exception {
        see(0, new Region(100, 100, 50, 50), person(0, 12, 0.0, 0), false);
        see(1, new Region(100, 100, 50, 50), person(0, 30, 0.0, 0), false);
        var serde = new io.facestream.core.events.JsonSerde<>(CameraTracks.class);
        byte[] now = serde.serializer().serialize("t", state);
        assertEquals(state, serde.deserializer().deserialize("t", now), "the state store's JSON round-trips");
        var json = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.facestream.core.json.Json.mapper().readTree(now);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("open").get(0)).remove("bests");
        CameraTracks old = serde.deserializer()
                .deserialize("t", io.facestream.core.json.Json.mapper().writeValueAsBytes(json));
        assertEquals(
                java.util.List.of("faces/0/1"),
                old.open().get(0).bests().stream().map(BestFace::ref).toList());
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

    /** A catch-up face of the same camera, captured at {@code tsUs}. */
    private Tracker.Step seeLate(long frame, long tsUs, Region box, float[] feature, long arrivalMs) {
        Sighting s = new Sighting(
                "cam",
                frame,
                tsUs,
                box,
                feature,
                (float) io.facestream.core.vector.Vectors.norm(feature),
                false,
                "m:1",
                "faces/0/late" + frame);
        Tracker.Step step = tracker.observe(state, s, arrivalMs, true, true);
        state = step.state();
        events.addAll(step.events());
        return step;
    }

    @Test
    void catchUpFacesMakeLateTracksOfTheirOwnAndLeaveTheLiveTrackAlone() {
        // the same person, same place: live now, and a minute ago in the backlog of an outage
        for (int f = 0; f < 5; f++) {
            see(f, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), false);
        }
        long liveClock = state.maxTsUs();
        Track live = state.open().get(0);
        long past = 1_000_000_000L - 60_000_000L;
        for (int f = 0; f < 6; f++) {
            Tracker.Step step =
                    seeLate(f, past + f * FRAME_US, new Region(100, 100, 50, 50), person(0, 20, 0.05, 50 + f), 0);
            assertFalse(step.late(), "a catch-up face is never dropped as late");
        }
        assertEquals(1, state.open().size(), "the live track is neither split nor joined");
        assertEquals(live, state.open().get(0));
        assertEquals(liveClock, state.maxTsUs(), "the live clock does not move for the past");
        assertEquals(1, state.lateOpen().size());
        Track late = state.lateOpen().get(0);
        assertTrue(late.late());
        assertEquals(6, late.acceptedFaces());
        assertTrue(late.id() != live.id(), "its own track id");
        assertEquals(1, events.size(), "no PROVISIONAL for a late track: " + events);

        // the live track goes on afterwards as one track
        see(5, new Region(100, 100, 50, 50), person(0, 20, 0.05, 5), false);
        assertEquals(1, state.open().size());
        assertEquals(6, state.open().get(0).acceptedFaces());

        // the backlog goes on by capture time: 3 s later in the past the old late track closes, a new one opens
        seeLate(10, past + 3_000_000L, new Region(300, 100, 50, 50), person(1, 20, 0.05, 77), 0);
        List<TrackEvent> closed =
                events.stream().filter(e -> e instanceof TrackEvent.Closed).toList();
        assertEquals(1, closed.size());
        assertEquals(late.id(), closed.get(0).track().id());
        assertTrue(closed.get(0).track().late());

        // the end of the backlog (no catch-up face for idle-close) closes the rest; the live track stays open
        // (the live camera's last face arrived at 4 s, the last catch-up face at 0; idle-close is 5 s)
        CameraTracks liveRecently = state.withLive(state.nextTrackId(), state.maxTsUs(), 4_000, state.open(), false);
        Tracker.Step idle = tracker.closeIfIdle("cam", liveRecently, 5_000);
        assertEquals(1, idle.events().size());
        assertTrue(idle.events().get(0).track().late());
        assertEquals(1, idle.state().open().size(), "the live track is not closed by the end of the backlog");
        assertTrue(idle.state().lateOpen().isEmpty());
    }

    @Test
    void anEarlierStretchOfThePastClosesTheLateTracksOfTheLaterOne() {
        long t = 1_000_000_000L;
        for (int f = 0; f < 3; f++) {
            seeLate(f, t + f * FRAME_US, new Region(100, 100, 50, 50), person(0, 20, 0.05, f), 0);
        }
        seeLate(100, t - 600_000_000L, new Region(100, 100, 50, 50), person(0, 20, 0.05, 9), 0);
        assertEquals(1, events.size());
        assertInstanceOf(TrackEvent.Closed.class, events.get(0));
        assertEquals(3, events.get(0).track().acceptedFaces());
        assertEquals(1, state.lateOpen().size());
        assertEquals(t - 600_000_000L, state.lateMaxTsUs());
    }
}

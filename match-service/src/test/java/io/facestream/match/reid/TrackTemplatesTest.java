package io.facestream.match.reid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Match;
import io.facestream.core.events.ModelRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rolling gallery of track templates: ranking, the window, the unknown retention, erasure and its bound. */
class TrackTemplatesTest {
    private static final long T0 = 1_800_000_000_000L; // ms
    private final Map<String, FaceObservation> faces = new HashMap<>();
    private final MutableClock clock = new MutableClock(T0);

    private TrackTemplates templates(int maxTracks) {
        return new TrackTemplates(
                new TrackTemplates.Settings(true, Duration.ofHours(1), maxTracks),
                ref -> Optional.ofNullable(faces.get(ref)),
                (g, s) -> s.equals("deleted-before"),
                Duration.ofMinutes(10),
                clock);
    }

    /** A face of direction {@code axis} (plus a little of {@code noise}) of model mobilefacenet:1, 8-d, norm ~20. */
    private String face(String ref, int axis, int noise, String model) {
        FaceObservation.Builder o = FaceObservation.newBuilder()
                .setModel(ModelRef.newBuilder().setName(model).setVersion("1"));
        for (int i = 0; i < 8; i++) {
            o.addEmbedding(i == axis ? 20f : i == noise ? 3f : 0f);
        }
        faces.put(ref, o.build());
        return ref;
    }

    private Match decision(String camera, String track, Match.Decision d, String subject, String bestFace, long endMs) {
        return decision(camera, track, d, subject, bestFace, endMs, "mobilefacenet");
    }

    private Match decision(
            String camera, String track, Match.Decision d, String subject, String bestFace, long endMs, String model) {
        return new Match(
                camera + "/" + track + "/FINAL",
                track,
                camera,
                (endMs - 2_000) * 1000,
                endMs * 1000,
                Match.Stage.FINAL,
                d,
                0.4,
                "watch",
                new Match.ModelId(model, "1"),
                subject == null
                        ? List.of()
                        : List.of(new Match.Candidate(subject, "m0", d == Match.Decision.HIT ? 0.8 : 0.1)),
                3,
                bestFace);
    }

    @Test
    void theSamePersonOnAnotherCameraComesFirstAndStrangersBelowTheScoreNot() {
        try (TrackTemplates t = templates(100)) {
            t.add(decision("door", "1", Match.Decision.UNKNOWN, null, face("faces/0/1", 0, 1, "mobilefacenet"), T0));
            t.add(decision("lobby", "7", Match.Decision.UNKNOWN, null, face("faces/0/2", 0, 2, "mobilefacenet"), T0));
            t.add(decision("yard", "3", Match.Decision.UNKNOWN, null, face("faces/0/3", 4, 5, "mobilefacenet"), T0));
            t.add(decision(
                    "gate",
                    "9",
                    Match.Decision.UNKNOWN,
                    null,
                    face("faces/0/4", 0, 1, "other-model"),
                    T0,
                    "other-model"));
            t.add(decision("hall", "4", Match.Decision.UNKNOWN, null, face("faces/0/5", 0, 1, "other-model"), T0));
            assertEquals(1, t.unreadable(), "a face of another model than its decision's is not fused");
            FaceObservation.Builder shorter = FaceObservation.newBuilder()
                    .setModel(ModelRef.newBuilder().setName("mobilefacenet").setVersion("1"));
            for (int i = 0; i < 4; i++) {
                shorter.addEmbedding(i == 0 ? 20f : 0f);
            }
            faces.put("faces/0/6", shorter.build());
            t.add(decision("mall", "2", Match.Decision.UNKNOWN, null, "faces/0/6", T0));

            List<TrackTemplates.Sighting> found =
                    t.elsewhere("door", "1", Duration.ofHours(1), 10, 0.3).orElseThrow();
            assertEquals(
                    1,
                    found.size(),
                    "the stranger scores 0; the other model and the 4-d one are not compared: " + found);
            assertEquals("lobby", found.get(0).decision().cameraId());
            assertEquals(400.0 / Math.sqrt(409 * 409), found.get(0).score(), 1e-6, "cosine of (20,3,0) and (20,0,3)");
            assertEquals(
                    2,
                    t.elsewhere("door", "1", Duration.ofHours(1), 10, -1)
                            .orElseThrow()
                            .size());
            assertTrue(t.elsewhere("door", "2", Duration.ofHours(1), 10, 0.3).isEmpty(), "no such track");
            assertTrue(t.elsewhere("gate", "9", Duration.ofHours(1), 10, -1)
                    .orElseThrow()
                    .isEmpty());
        }
    }

    @Test
    void tracksLeaveWithTheWindowAndUnknownsWithTheirRetention() {
        try (TrackTemplates t = templates(100)) {
            t.add(decision("door", "1", Match.Decision.UNKNOWN, null, face("faces/0/1", 0, 1, "mobilefacenet"), T0));
            t.add(decision("lobby", "2", Match.Decision.HIT, "alice", face("faces/0/2", 0, 2, "mobilefacenet"), T0));
            t.add(decision("yard", "3", Match.Decision.UNKNOWN, null, face("faces/0/3", 0, 3, "mobilefacenet"), T0));
            assertEquals(3, t.size());
            // within: only tracks whose last face is at most that old are searched
            clock.advance(Duration.ofMinutes(5));
            t.add(decision(
                    "hall", "4", Match.Decision.HIT, "bob", face("faces/0/4", 0, 4, "mobilefacenet"), clock.millis()));
            assertEquals(
                    List.of("hall"),
                    t.elsewhere("lobby", "2", Duration.ofMinutes(1), 10, 0.3).orElseThrow().stream()
                            .map(s -> s.decision().cameraId())
                            .toList());
            // privacy.unknown-retention (10 min): the unknowns go, the HITs stay until the window (1 h)
            clock.advance(Duration.ofMinutes(6));
            assertEquals(2, t.size());
            assertTrue(t.elsewhere("door", "1", Duration.ofHours(1), 10, 0.3).isEmpty());
            clock.advance(Duration.ofMinutes(50));
            assertEquals(1, t.size(), "lobby's HIT is past the window, hall's is not yet");
            clock.advance(Duration.ofMinutes(10));
            assertEquals(0, t.size());
        }
    }

    @Test
    void erasureRemovesEveryTrackNamingTheSubjectAndKeepsItOut() {
        try (TrackTemplates t = templates(100)) {
            Match alice =
                    decision("lobby", "2", Match.Decision.HIT, "alice", face("faces/0/2", 0, 2, "mobilefacenet"), T0);
            t.add(alice);
            t.add(decision("door", "5", Match.Decision.UNKNOWN, "alice", face("faces/0/5", 0, 1, "mobilefacenet"), T0));
            t.add(decision("yard", "3", Match.Decision.HIT, "bob", face("faces/0/3", 0, 3, "mobilefacenet"), T0));
            t.add(decision(
                    "gate", "8", Match.Decision.HIT, "deleted-before", face("faces/0/8", 0, 3, "mobilefacenet"), T0));
            assertEquals(3, t.size(), "a subject deleted before this start is not taken in");
            t.erase("watch", "alice");
            assertEquals(1, t.size(), "the HIT and the unknown naming alice as a candidate are gone");
            t.add(alice);
            assertEquals(1, t.size(), "and not taken in again");
            t.erase("other-gallery", "bob");
            assertEquals(1, t.size(), "erasure is per gallery");
            t.erase("watch", null);
            assertEquals(0, t.size(), "a deleted gallery takes every track naming one of its subjects");
            t.add(decision("yard", "4", Match.Decision.HIT, "carol", face("faces/0/4", 0, 3, "mobilefacenet"), T0));
            assertEquals(0, t.size(), "and none is taken in again");
        }
    }

    @Test
    void boundedOldestOutAndUnreadableFacesCounted() {
        try (TrackTemplates t = templates(2)) {
            t.add(decision("a", "1", Match.Decision.UNKNOWN, null, face("faces/0/1", 0, 1, "mobilefacenet"), T0));
            t.add(decision("b", "1", Match.Decision.UNKNOWN, null, face("faces/0/2", 0, 2, "mobilefacenet"), T0));
            t.add(decision("c", "1", Match.Decision.UNKNOWN, null, face("faces/0/3", 0, 3, "mobilefacenet"), T0));
            assertEquals(2, t.size());
            assertTrue(t.elsewhere("a", "1", Duration.ofHours(1), 10, -1).isEmpty(), "the oldest went");
            t.add(decision("d", "1", Match.Decision.UNKNOWN, null, "faces/0/404", T0));
            assertEquals(1, t.unreadable(), "a best face no longer on the topic");
            assertEquals(2, t.size());
        }
    }

    private static final class MutableClock extends Clock {
        private long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
import io.facestream.core.events.CameraProgress;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.ModelRef;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.Identifier;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.rollout.Rollouts;
import io.facestream.match.track.Tracker;
import io.facestream.match.track.TrackerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decisions must not depend on how fast faces arrive. The matching topology runs in a {@link TopologyTestDriver} with
 * a simulated wall clock and the default {@code match.track.*} settings; one camera's footage (a person who turns away
 * for 1.8 s and comes back, an empty scene, two people at once, then the camera stops) is delivered once promptly
 * (wall clock advancing as capture time does) and once slowly (wall clock advancing 3× the capture time between
 * records, as when embedding runs at a third of the needed speed). With the embed service's progress records the two
 * give the same tracks and decisions; without them (an embed service that reports no progress, closed on the wall
 * clock) the slow delivery splits the first person's track, which is the weakness the progress records remove.
 */
class CaptureTimeClosingTest {
    private static final String CAMERA = "lobby";
    private static final long T0_US = 1_763_792_000_000_000L;
    private static final long FRAME_US = 100_000; // 10 frames/s
    private static final int ALICE = 0;
    private static final int BOB = 1;
    private static final int STRANGER = 5;

    @TempDir
    Path dir;

    /** One frame of the footage: the people in it (axis of their features) and where. */
    private record Shot(long seq, List<int[]> people) {
        long tsUs() {
            return T0_US + seq * FRAME_US;
        }
    }

    /** What the embed service writes for the footage: faces, and with progress the records between them. */
    private record Written(long tsUs, byte[] value) {}

    private static List<Shot> footage() {
        List<Shot> shots = new ArrayList<>();
        for (long f = 0; f < 120; f++) {
            List<int[]> people = new ArrayList<>();
            if (f < 20 || (f >= 38 && f < 60)) {
                people.add(new int[] {ALICE, 100 + (int) f}); // alice, turned away (no face) in frames 20..37
            }
            if (f >= 90) {
                people.add(new int[] {BOB, 400 - (int) f});
                people.add(new int[] {STRANGER, 200});
            }
            shots.add(new Shot(f, people));
        }
        return shots;
    }

    /** The records of the footage as an embed service writes them, with or without progress records. */
    private static List<Written> written(boolean progress) {
        List<Written> out = new ArrayList<>();
        long lastWritten = Long.MIN_VALUE;
        Shot last = null;
        for (Shot s : footage()) {
            last = s;
            if (!s.people().isEmpty()) {
                for (int i = 0; i < s.people().size(); i++) {
                    int[] p = s.people().get(i);
                    out.add(new Written(
                            s.tsUs(), face(s, i, p[0], p[1], progress).toByteArray()));
                }
                lastWritten = s.tsUs();
            } else if (progress && s.tsUs() - lastWritten >= 250_000) { // embed.service.progress.frame-interval
                out.add(new Written(s.tsUs(), progressRecord(s, 0).toByteArray()));
                lastWritten = s.tsUs();
            }
        }
        if (progress) { // the camera stops: silence reported every second up to 6 s
            for (long silent = 1000; silent <= 6000; silent += 1000) {
                out.add(new Written(last.tsUs(), progressRecord(last, silent).toByteArray()));
            }
        }
        return out;
    }

    private static FaceObservation face(Shot s, int index, int who, int x, boolean reportsProgress) {
        float[] v = new float[16];
        Random r = new Random(s.seq() * 31 + who);
        double sq = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (i == who ? 1f : 0f) + (float) (0.12 * r.nextGaussian());
            sq += v[i] * v[i];
        }
        FaceObservation.Builder b = FaceObservation.newBuilder()
                .setCameraId(CAMERA)
                .setFrameSeq(s.seq())
                .setCaptureTsUs(s.tsUs())
                .setFaceIndex(index)
                .setFacesInFrame(s.people().size())
                .setBox(Box.newBuilder().setX(x).setY(100).setWidth(60).setHeight(60))
                .setModel(ModelRef.newBuilder().setName("test").setVersion("1"))
                .setDetector("given")
                .setReportsProgress(reportsProgress);
        for (float f : v) {
            b.addEmbedding((float) (f / Math.sqrt(sq) * 20));
        }
        return b.setNorm(20).build();
    }

    private static FaceObservation progressRecord(Shot s, long silentMs) {
        return FaceObservation.newBuilder()
                .setCameraId(CAMERA)
                .setFrameSeq(s.seq())
                .setCaptureTsUs(s.tsUs())
                .setReportsProgress(true)
                .setProgress(CameraProgress.newBuilder().setSilentMs(silentMs))
                .build();
    }

    /** A gallery of alice and bob (unit vectors on their axes) with threshold 0.5. */
    private static final GallerySearch GALLERY = new GallerySearch() {
        @Override
        public List<Match.Candidate> search(String gallery, String model, float[] unitQuery, int k) {
            List<Match.Candidate> out = new ArrayList<>();
            for (Map.Entry<String, Integer> e :
                    Map.of("alice", ALICE, "bob", BOB).entrySet()) {
                out.add(new Match.Candidate(e.getKey(), e.getKey() + "/still-1", unitQuery[e.getValue()]));
            }
            out.sort(Comparator.comparingDouble(Match.Candidate::score).reversed());
            return out.subList(0, Math.min(k, out.size()));
        }

        @Override
        public OpenSetThreshold threshold(String gallery, String model) {
            return OpenSetThreshold.manual(0.5);
        }
    };

    /**
     * Runs the records through the topology, the wall clock advancing {@code pace} times the capture time between
     * records (and {@code pace} seconds between silence reports, which the embed service writes a second apart),
     * then a minute more; returns every decision in order as one line each.
     */
    private List<String> decisions(List<Written> records, double pace, String run) {
        FacestreamConfig config = FacestreamConfig.builder().isolated().build();
        Tracker tracker = new Tracker(TrackerSettings.from(config));
        Identifier identifier = new Identifier(GALLERY, "watch", 5);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "capture-time-" + run);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(run).toString());
        Instant start = Instant.ofEpochMilli(T0_US / 1000 + 200);
        List<String> out = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                MatchTopology.build(
                        tracker,
                        identifier,
                        config.getDuration("match.track.idle-check"),
                        Rollouts.none(),
                        Duration.ofMinutes(10),
                        new FaceValidator(ModelDimensions.none())),
                p,
                start)) {
            TestInputTopic<String, byte[]> faces = driver.createInputTopic(
                    TopicCatalog.FACES, new StringSerializer(), new ByteArraySerializer(), start, Duration.ZERO);
            TestOutputTopic<String, Match> matches = driver.createOutputTopic(
                    TopicCatalog.MATCHES,
                    new StringDeserializer(),
                    JsonSerde.match().deserializer());
            long previousUs = records.get(0).tsUs();
            for (Written w : records) {
                long gapUs = w.tsUs() == previousUs && progressSilence(w) ? 1_000_000 : w.tsUs() - previousUs;
                driver.advanceWallClockTime(Duration.ofNanos((long) (gapUs * 1000 * pace)));
                faces.pipeInput(CAMERA, w.value(), Instant.ofEpochMilli(w.tsUs() / 1000));
                previousUs = w.tsUs();
            }
            for (int s = 0; s < 60; s++) {
                driver.advanceWallClockTime(Duration.ofSeconds(1));
            }
            for (Match m : matches.readValuesToList()) {
                out.add(m.matchId() + " " + m.decision()
                        + (m.best() == null ? "" : " " + m.best().subjectId()) + " faces=" + m.faces() + " from="
                        + (m.startTsUs() - T0_US) / 1000 + "ms to=" + (m.endTsUs() - T0_US) / 1000 + "ms");
            }
        }
        return out;
    }

    private static boolean progressSilence(Written w) {
        try {
            FaceObservation o = FaceObservation.parseFrom(w.value());
            return o.hasProgress() && o.getProgress().getSilentMs() > 0;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withProgressRecordsSlowDeliveryGivesTheSameTracksAndDecisions() {
        List<String> prompt = decisions(written(true), 1, "prompt");
        List<String> slow = decisions(written(true), 3, "slow");
        assertEquals(prompt, slow, "decisions delivered promptly vs at a third of the speed");

        // alice is one track across her 1.8 s away (under close-after), closed by capture time in the empty scene;
        // bob and the stranger are closed by the reported silence
        List<String> finals = prompt.stream().filter(l -> l.contains("/FINAL ")).toList();
        assertEquals(3, finals.size(), prompt.toString());
        assertTrue(
                finals.get(0).startsWith(CAMERA + "/1/FINAL HIT alice faces=42 from=0ms to=5900ms"), finals.toString());
        assertTrue(finals.stream().anyMatch(l -> l.contains("HIT bob faces=30")), finals.toString());
        assertTrue(finals.stream().anyMatch(l -> l.contains("UNKNOWN") && l.contains("faces=30")), finals.toString());
    }

    @Test
    void withoutProgressRecordsTheWallClockSplitsTracksWhenFacesComeSlowly() {
        List<String> prompt = decisions(written(false), 1, "legacy-prompt");
        List<String> slow = decisions(written(false), 3, "legacy-slow");
        assertEquals(
                decisions(written(true), 1, "progress"),
                prompt,
                "delivered promptly, the wall clock and the progress records agree");
        assertNotEquals(prompt, slow);
        assertTrue(
                slow.stream().anyMatch(l -> l.startsWith(CAMERA + "/2/FINAL HIT alice faces=22")),
                "5.4 s of wall clock without alice's faces split her track: " + slow);
    }

    @Test
    void aCameraWhoseEmbedServiceReportsProgressIsClosedOnTheWallClockOnlyAfterStallClose() {
        List<Written> faces = written(true).stream()
                .filter(w -> w.tsUs() < T0_US + 10 * FRAME_US)
                .toList();
        FacestreamConfig config = FacestreamConfig.builder().isolated().build();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "capture-time-stall");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("stall").toString());
        Instant start = Instant.ofEpochMilli(T0_US / 1000);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                MatchTopology.build(
                        new Tracker(TrackerSettings.from(config)),
                        new Identifier(GALLERY, "watch", 5),
                        Duration.ofSeconds(1),
                        Rollouts.none(),
                        Duration.ofMinutes(10),
                        new FaceValidator(ModelDimensions.none())),
                p,
                start)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic(
                    TopicCatalog.FACES, new StringSerializer(), new ByteArraySerializer(), start, Duration.ZERO);
            TestOutputTopic<String, Match> matches = driver.createOutputTopic(
                    TopicCatalog.MATCHES,
                    new StringDeserializer(),
                    JsonSerde.match().deserializer());
            for (Written w : faces) {
                in.pipeInput(CAMERA, w.value(), Instant.ofEpochMilli(w.tsUs() / 1000));
            }
            assertEquals(
                    List.of(CAMERA + "/1/PROVISIONAL"),
                    matches.readValuesToList().stream().map(Match::matchId).toList());
            driver.advanceWallClockTime(
                    Duration.ofSeconds(110)); // far past idle-close: the embed service reports silence
            assertTrue(matches.isEmpty(), "no wall-clock close before match.track.stall-close");
            driver.advanceWallClockTime(Duration.ofSeconds(11));
            assertEquals(
                    List.of(CAMERA + "/1/FINAL"),
                    matches.readValuesToList().stream().map(Match::matchId).toList());
        }
    }
}

package io.facestream.match.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * The match history on a real broker and a Lucene index on disk: 10,500 decisions (more than the API's 10,000 recent
 * ones) produced to {@code facestream.matches}; queried by subject and capture-time range, page by page with the
 * cursor, exact in count and order; restarted on the same directory it resumes at its committed offsets (no record
 * read again, no duplicate) and answers the same; bad records go to the DLQ and the rest flow; a subject's erasure
 * removes its face data, also across a restart and for decisions read later; unknown faces go after the unknown
 * retention and every decision after the topic's retention.
 */
@KafkaBroker
class MatchHistoryTest {
    private static final int DECISIONS = 10_500;
    private static final String GALLERY = "watchlist";

    /** A clock the test moves forward to pass the retentions. */
    private static final class MovableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + run;
    private final String bob = "bob-" + run;
    private final String camA = "hist-a-" + run;
    private final String camB = "hist-b-" + run;
    /** Capture times an hour ago: within the topic's retention and the unknown retention until the clock moves. */
    private final long baseUs = (System.currentTimeMillis() - 3_600_000L) * 1000;

    private long startUs(int i) {
        return baseUs + i * 1000L;
    }

    /** Decision i: every third a HIT of alice, every fifth otherwise a HIT of bob, the rest UNKNOWN; two cameras. */
    private Match decision(int i) {
        String camera = i % 2 == 0 ? camA : camB;
        Match.Stage stage = i % 4 < 2 ? Match.Stage.PROVISIONAL : Match.Stage.FINAL;
        String subject = i % 3 == 0 ? alice : i % 5 == 0 ? bob : "carol-" + run;
        boolean hit = i % 3 == 0 || i % 5 == 0;
        double score = hit ? 0.6 : 0.2;
        return new Match(
                camera + "/" + i + "/" + stage,
                Integer.toString(i),
                camera,
                startUs(i),
                startUs(i) + 500,
                stage,
                hit ? Match.Decision.HIT : Match.Decision.UNKNOWN,
                0.4,
                GALLERY,
                new Match.ModelId("mobilefacenet", "1"),
                List.of(new Match.Candidate(subject, "m1", score)),
                3,
                "faces/" + (i % 4) + "/" + (1_000_000 + i));
    }

    private HistorySettings settings(Path dir) {
        return new HistorySettings(
                true,
                dir,
                Duration.ofMillis(500),
                1000,
                Duration.ofMillis(200),
                Duration.ofDays(30),
                Duration.ofHours(24));
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static HistoryQuery query(String camera, String subject, Long fromUs, Long toUs, int limit, String cursor) {
        return new HistoryQuery(
                camera,
                subject,
                null,
                null,
                null,
                null,
                null,
                fromUs,
                toUs,
                limit,
                cursor == null ? null : HistoryQuery.Cursor.decode(cursor));
    }

    /** Every page of a query, following next_cursor. */
    private static List<Match> allPages(MatchHistory h, String subject, long fromUs, long toUs, int limit) {
        List<Match> out = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            MatchHistory.HistoryPage p = h.query(query(null, subject, fromUs, toUs, limit, cursor));
            assertTrue(p.items().size() <= limit);
            out.addAll(p.items());
            cursor = p.nextCursor();
            pages++;
            assertTrue(pages < 1000, "the cursor must end");
        } while (cursor != null);
        return out;
    }

    @Test
    void moreThanTenThousandDecisionsQueriedByCursorSurviveARestartAndForgetErasedFaces(
            @KafkaBroker.Bootstrap String bootstrap) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir =
                Files.createDirectories(Path.of("target", "history-test", run)).toAbsolutePath();
        KafkaConnection kafka = KafkaConnection.of(bootstrap);
        MovableClock clock = new MovableClock();
        Serializer<Match> json = JsonSerde.match().serializer();

        // where the DLQ ends now: the dead letters of this test come after
        Map<TopicPartition, Long> dlqStart;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            TopicPartition dlq = new TopicPartition(TopicCatalog.DLQ, 0);
            dlqStart = c.endOffsets(List.of(dlq));
        }

        Map<Integer, Long> lastOffset = new HashMap<>();
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaClients.producer(bootstrap, "history-" + run))) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < DECISIONS; i++) {
                Match m = decision(i);
                sent.add(p.send(new ProducerRecord<>(TopicCatalog.MATCHES, m.cameraId(), json.serialize("", m))));
            }
            // the same match id again (a replay): it replaces its twin, no second document
            Match again = decision(3);
            sent.add(p.send(new ProducerRecord<>(TopicCatalog.MATCHES, again.cameraId(), json.serialize("", again))));
            // three bad records between the good ones: refused to the DLQ, the rest flows
            sent.add(p.send(new ProducerRecord<>(
                    TopicCatalog.MATCHES, camA, ("not json " + run).getBytes(StandardCharsets.UTF_8))));
            sent.add(p.send(new ProducerRecord<>(TopicCatalog.MATCHES, camA, null)));
            Match wrongKey = decision(10);
            sent.add(p.send(new ProducerRecord<>(TopicCatalog.MATCHES, camB, json.serialize("", wrongKey))));
            for (var f : sent) {
                RecordMetadata md = f.get();
                lastOffset.merge(md.partition(), md.offset(), Math::max);
            }
        }

        long fromUs = startUs(1000);
        long toUs = startUs(8999);
        List<String> expected = new ArrayList<>();
        for (int i = 8999; i >= 1000; i--) { // newest first
            if (i % 3 == 0) {
                expected.add(decision(i).matchId());
            }
        }
        assertEquals(2666, expected.size()); // 1002, 1005, ..., 8997

        MatchHistory history = MatchHistory.start(settings(dir), kafka, (g, s) -> false, clock);
        List<String> firstAnswer;
        try {
            await(
                    "all " + DECISIONS + " decisions in the history",
                    Duration.ofSeconds(120),
                    () -> history.query(query(camA, null, null, null, 1, null)).total()
                                    + history.query(query(camB, null, null, null, 1, null))
                                            .total()
                            == DECISIONS);
            assertEquals(
                    3500, history.query(query(null, alice, null, null, 1, null)).total(), "no duplicate");

            List<Match> got = allPages(history, alice, fromUs, toUs, 500);
            firstAnswer = got.stream().map(Match::matchId).toList();
            assertEquals(expected, firstAnswer, "subject and time range, newest first, across 6 pages");
            assertEquals(
                    expected.size(),
                    history.query(query(null, alice, fromUs, toUs, 1, null)).total());
            Match first = got.get(0);
            assertEquals(decision(8997), first, "every field as on the topic");
            assertTrue(history.isBestFace(8997 % 4, 1_000_000 + 8997));
            assertFalse(history.isBestFace(0, 42), "not the best face of any decision");

            // the three bad records, with their reasons
            List<String> reasons = deadLetters(bootstrap, dlqStart, 3);
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("not a Match JSON (")), reasons.toString());
            assertTrue(
                    reasons.stream().anyMatch(r -> r.startsWith("value is missing (a tombstone)")), reasons.toString());
            assertTrue(
                    reasons.contains("camera_id '" + camA + "' differs from the key '" + camB
                            + "': the key must be the camera id"),
                    reasons.toString());
            assertTrue(history.health().status() == io.facestream.core.health.Health.Status.UP);
        } finally {
            history.close();
        }

        // restart on the same directory: resumes at the committed offsets, reads nothing of ours again
        MatchHistory restarted = MatchHistory.start(settings(dir), kafka, (g, s) -> false, clock);
        try {
            for (var e : lastOffset.entrySet()) {
                assertTrue(
                        restarted.resumedAt().get(e.getKey()) > e.getValue(),
                        "partition " + e.getKey() + " resumes after our last record (" + e.getValue() + "): "
                                + restarted.resumedAt());
            }
            await("caught up after the restart", Duration.ofSeconds(30), restarted::caughtUp);
            assertTrue(restarted.recordsRead() < 100, "read again: " + restarted.recordsRead());
            assertEquals(
                    firstAnswer,
                    allPages(restarted, alice, fromUs, toUs, 1000).stream()
                            .map(Match::matchId)
                            .toList(),
                    "the same answer after the restart");
            assertEquals(
                    3500,
                    restarted.query(query(null, alice, null, null, 1, null)).total(),
                    "no duplicate");

            // erasure: alice's decisions lose their face data, bob's keep theirs
            assertEquals(3500, restarted.erase(GALLERY, alice));
            List<Match> erased = allPages(restarted, alice, fromUs, toUs, 1000);
            assertEquals(firstAnswer, erased.stream().map(Match::matchId).toList(), "the decisions stay");
            assertTrue(erased.stream().allMatch(m -> m.bestFace() == null), "no face data of alice left");
            assertFalse(restarted.isBestFace(8997 % 4, 1_000_000 + 8997), "her crop is no longer served");
            Match bobs = decision(5);
            assertEquals(
                    bobs.bestFace(),
                    restarted
                            .query(query(camB, bob, null, startUs(5), 1, null))
                            .items()
                            .get(0)
                            .bestFace());
            // a decision naming her read after the erasure comes without face data
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(KafkaClients.producer(bootstrap, "history-late-" + run))) {
                Match late = decision(DECISIONS); // a multiple of 3: alice
                p.send(new ProducerRecord<>(TopicCatalog.MATCHES, late.cameraId(), json.serialize("", late)))
                        .get();
            }
            await(
                    "the later decision in the history",
                    Duration.ofSeconds(30),
                    () -> restarted
                                    .query(query(null, alice, null, null, 1, null))
                                    .total()
                            == 3501);
            assertNull(restarted
                    .query(query(null, alice, null, null, 1, null))
                    .items()
                    .get(0)
                    .bestFace());
        } finally {
            restarted.close();
        }

        // after another restart the erasure holds (it was committed), and the replica's answer strips later reads
        MatchHistory third = MatchHistory.start(settings(dir), kafka, (g, s) -> s.equals(alice), clock);
        try {
            await("caught up", Duration.ofSeconds(30), third::caughtUp);
            assertTrue(allPages(third, alice, baseUs, Long.MAX_VALUE / 2, 1000).stream()
                    .allMatch(m -> m.bestFace() == null));
            assertEquals(
                    3501, third.query(query(null, alice, null, null, 1, null)).total());

            // a day later: unknown faces are gone (privacy.unknown-retention), HITs keep theirs
            assertTrue(third.isBestFace(2 % 4, 1_000_002), "decision 2 is an UNKNOWN whose crop may be shown today");
            clock.now.set(clock.instant().plus(Duration.ofHours(25)));
            assertFalse(third.isBestFace(2 % 4, 1_000_002), "refused at once, before the sweep drops it");
            assertTrue(third.isBestFace(5 % 4, 1_000_005), "bob's HIT keeps its crop");
            HistoryQuery unknowns = new HistoryQuery(
                    camA, null, null, Match.Decision.UNKNOWN, null, null, null, null, null, 1000, null);
            await(
                    "unknown faces dropped",
                    Duration.ofSeconds(30),
                    () -> third.query(unknowns).items().stream().allMatch(m -> m.bestFace() == null));
            assertTrue(third.query(unknowns).total() > 1000);
            assertNotNull(third.query(query(camB, bob, null, startUs(5), 1, null))
                    .items()
                    .get(0)
                    .bestFace());

            // past the topic's retention: nothing of ours is left
            clock.now.set(clock.instant().plus(Duration.ofDays(30)));
            await(
                    "decisions past the retention deleted",
                    Duration.ofSeconds(30),
                    () -> third.query(query(camA, null, null, null, 1, null)).total() == 0
                            && third.query(query(camB, null, null, null, 1, null))
                                            .total()
                                    == 0);
        } finally {
            third.close();
        }
    }

    /** The reasons of the first {@code n} dead letters of stage match-history after {@code start}. */
    private List<String> deadLetters(String bootstrap, Map<TopicPartition, Long> start, int n) throws Exception {
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            c.assign(start.keySet());
            start.forEach(c::seek);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reasons.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    var stage = r.headers().lastHeader(DeadLetter.STAGE);
                    var key = r.key();
                    if (stage != null
                            && MatchHistory.STAGE.equals(new String(stage.value(), StandardCharsets.UTF_8))
                            && key != null
                            && key.endsWith(run)) {
                        reasons.add(new String(
                                r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        assertEquals(n, reasons.size(), reasons.toString());
        return reasons;
    }
}

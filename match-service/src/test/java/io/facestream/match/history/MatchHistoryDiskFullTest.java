package io.facestream.match.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;

/**
 * The match history on a disk that fills up and is freed again (a real broker, a Lucene index on disk whose new files
 * fail with {@code No space left on device} while the disk is "full"): it reports DOWN instead of stopping, keeps
 * retrying, and once the disk takes writes again it holds every decision exactly once, also after a restart.
 */
@KafkaBroker
class MatchHistoryDiskFullTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String camera = "disk-full-" + run;
    private final long baseUs = (System.currentTimeMillis() - 600_000L) * 1000;

    /** A directory whose new files fail while {@code full} is set, as on a full disk. */
    private static final class FullDisk extends FilterDirectory {
        private final AtomicBoolean full;
        private final AtomicInteger refused;

        FullDisk(FSDirectory in, AtomicBoolean full, AtomicInteger refused) {
            super(in);
            this.full = full;
            this.refused = refused;
        }

        private void check(String name) throws IOException {
            if (full.get()) {
                refused.incrementAndGet();
                throw new IOException("No space left on device (writing " + name + ")");
            }
        }

        @Override
        public IndexOutput createOutput(String name, IOContext context) throws IOException {
            check(name);
            return super.createOutput(name, context);
        }

        @Override
        public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
            check(prefix);
            return super.createTempOutput(prefix, suffix, context);
        }
    }

    private Match decision(int i) {
        return new Match(
                camera + "/" + i + "/FINAL",
                Integer.toString(i),
                camera,
                baseUs + i * 1000L,
                baseUs + i * 1000L + 500,
                Match.Stage.FINAL,
                Match.Decision.UNKNOWN,
                0.4,
                "watchlist",
                new Match.ModelId("mobilefacenet", "1"),
                List.of(new Match.Candidate("carol", "m1", 0.2)),
                3,
                null);
    }

    private void produce(String bootstrap, int from, int to) throws Exception {
        Serializer<Match> json = JsonSerde.match().serializer();
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaClients.producer(bootstrap, "disk-full-" + run + "-" + from))) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Match m = decision(i);
                sent.add(p.send(new ProducerRecord<>(TopicCatalog.MATCHES, m.cameraId(), json.serialize("", m))));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    private static long count(MatchHistory h, String camera) {
        return h.query(new HistoryQuery(camera, null, null, null, null, null, null, null, null, 1, null))
                .total();
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aFullDiskIsReportedDownAndRetriedAndNothingIsLostOrKeptTwice(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path dir = Files.createDirectories(Path.of("target", "history-disk-full", run))
                .toAbsolutePath();
        HistorySettings settings = new HistorySettings(
                true,
                dir,
                Duration.ofMillis(300),
                1000,
                Duration.ofMinutes(10),
                Duration.ofDays(30),
                Duration.ofHours(24));
        KafkaConnection kafka = KafkaConnection.of(bootstrap);
        AtomicBoolean full = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();

        produce(bootstrap, 0, 100);
        try (MatchHistory history = MatchHistory.start(
                settings,
                kafka,
                (g, s) -> false,
                Clock.systemUTC(),
                d -> new FullDisk(FSDirectory.open(d), full, refused))) {
            await("the first 100 decisions", Duration.ofSeconds(90), () -> count(history, camera) == 100);
            assertEquals(
                    Health.Status.UP,
                    history.health().status(),
                    history.health().detail());

            full.set(true);
            produce(bootstrap, 100, 200);
            await(
                    "DOWN while the disk is full",
                    Duration.ofSeconds(30),
                    () -> history.health().status() == Health.Status.DOWN);
            String detail = history.health().detail();
            assertTrue(detail.contains("No space left on device"), detail);
            assertTrue(detail.contains("retrying"), detail);
            // it keeps retrying: more writes are refused, and it neither stops (FAILED) nor claims to be well
            int before = refused.get();
            await("another attempt", Duration.ofSeconds(10), () -> refused.get() > before);
            assertEquals(
                    Health.Status.DOWN,
                    history.health().status(),
                    history.health().detail());

            full.set(false);
            await(
                    "UP with all 200 decisions once the disk takes writes again",
                    Duration.ofSeconds(60),
                    () -> history.health().status() == Health.Status.UP && count(history, camera) == 200);
            produce(bootstrap, 200, 250);
            await("later decisions too", Duration.ofSeconds(30), () -> count(history, camera) == 250);
        }

        // what it committed after the recovery covers everything: a restart holds the same 250, each once
        try (MatchHistory restarted = MatchHistory.start(settings, kafka, (g, s) -> false, Clock.systemUTC())) {
            await("caught up after the restart", Duration.ofSeconds(90), restarted::caughtUp);
            assertEquals(250, count(restarted, camera));
            for (int i : new int[] {0, 150, 249}) {
                HistoryQuery one = new HistoryQuery(
                        camera,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        baseUs + i * 1000L,
                        baseUs + i * 1000L + 1,
                        10,
                        null);
                assertEquals(List.of(decision(i)), restarted.query(one).items(), "decision " + i + " once");
            }
        }
    }
}

package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.ADAFACE;
import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.GalleryReplica;
import io.facestream.gallery.replication.GalleryWriter;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchMode;
import io.facestream.gallery.search.SearchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that heals, against the real broker and Lucene on disk: IO errors injected through the real file system
 * are retried until fixed (nothing skipped, nothing applied twice); a replica away longer than the topic's
 * delete.retention.ms, or facing a re-created topic, rebuilds from the topic.
 */
@KafkaBroker
class ReplicaHealingTest {
    @TempDir
    Path dir;

    final Random noise = new Random(11);

    private static GallerySettings settings(Path dir, String topic) {
        GallerySettings s = Fixtures.settings(dir, topic);
        return s.withReplica(s.replica()
                .withRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .withTopicCheckInterval(Duration.ofMillis(300)));
    }

    // ---- 1. IO errors: retried with backoff, DOWN meanwhile, nothing skipped, nothing applied twice ----

    /**
     * A regular file where the replica must create a crop directory makes creating it fail (ENOTDIR) — the same for
     * root, for whom permission bits do not stop a write. The replica retries that record, reports DOWN, applies
     * nothing after it, and once the file is gone applies it and everything after, each exactly once.
     */
    @Test
    void anIoErrorIsRetriedUntilFixedThenEverythingIsAppliedOnce(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        GallerySettings settings = settings(dir, topic);
        try (Gallery g = Gallery.open(settings, bootstrap);
                GalleryWriter other = new GalleryWriter(bootstrap, topic, "other")) {
            g.createGallery("watch", GalleryKind.SURVEILLANCE, Map.of());
            for (int s = 0; s < 4; s++) {
                g.enrol(new Subject("watch", "s" + s, "", Map.of()));
                g.addMedium(medium("watch", "s" + s, "m0", feature(s, noise, 0.3), jpeg(s)));
            }
            g.enrol(new Subject("watch", "s9", "", Map.of()));
            Path blocker = g.index().crops().directory(new GalleryKey.OfSubject("watch", "s9"));
            Files.write(blocker, new byte[0]);
            double appliedBefore = counter("facestream.gallery.applied");
            double retriesBefore = counter("facestream.gallery.io_retries");

            // another instance publishes: the first record needs the blocked directory, the rest come after it
            long blocked = other.publish(
                    new GalleryChange.PutMedium(medium("watch", "s9", "m0", feature(9, noise, 0.3), jpeg(90))));
            other.publish(new GalleryChange.PutMedium(medium("watch", "s1", "m5", feature(1, noise, 0.3), jpeg(15))));
            other.publish(new GalleryChange.Remove(new GalleryKey.OfMedium("watch", "s2", "m0")));
            long last = other.publish(
                    new GalleryChange.PutMedium(medium("watch", "s3", "m0", feature(3, noise, 0.3), jpeg(31))));

            Health down =
                    await(() -> g.replicationHealth(), h -> h.status() == Health.Status.DOWN, Duration.ofSeconds(20));
            assertTrue(down.detail().startsWith("retrying after IO error: "), down.detail());
            assertTrue(down.detail().contains("s9"), "the detail names what failed: " + down.detail());
            awaitTrue(
                    () -> counter("facestream.gallery.io_retries") - retriesBefore >= 3,
                    Duration.ofSeconds(20),
                    "retries with backoff");
            assertEquals(Health.Status.DOWN, g.replicationHealth().status(), "still DOWN while the error lasts");
            assertTrue(
                    g.replica().appliedNextOffset() <= blocked,
                    "nothing after the failed record is applied (in order)");
            assertTrue(g.medium(new GalleryKey.OfMedium("watch", "s1", "m5")).isEmpty());
            assertTrue(g.medium(new GalleryKey.OfMedium("watch", "s2", "m0")).isPresent());
            assertEquals(
                    "s1",
                    g.search(SearchRequest.of("watch", ADAFACE, feature(1, noise, 0.3), 1))
                            .hits()
                            .get(0)
                            .subjectId(),
                    "matching goes on against the gallery as applied so far");

            Files.delete(blocker); // the operator makes room
            g.awaitApplied(last);
            Health up = await(() -> g.replicationHealth(), h -> h.status() == Health.Status.UP, Duration.ofSeconds(10));
            assertTrue(up.detail().startsWith("applying"), up.detail());
            assertEquals(
                    4.0, counter("facestream.gallery.applied") - appliedBefore, "the four records applied once each");
            TopicState topicState = TopicState.read(bootstrap, topic);
            IndexContents.assertEqualsTopic(topicState, g.index(), "watch");
            assertArrayEquals(
                    jpeg(90),
                    g.medium(new GalleryKey.OfMedium("watch", "s9", "m0"))
                            .orElseThrow()
                            .crops()
                            .get(0));
        }
        // and durable: the reopened replica resumes (no rebuild) and holds the same
        try (Gallery again = Gallery.open(settings, bootstrap)) {
            assertEquals(0, again.replica().rebuilds());
            IndexContents.assertEqualsTopic(TopicState.read(bootstrap, topic), again.index(), "watch");
        }
    }

    /**
     * The Lucene directory is swapped for a regular file while the replica runs: the next segment flush fails inside
     * Lucene. The replica reports DOWN, reopens its last commit once the directory is back and replays from there; the
     * index then equals the topic (replaying is idempotent: nothing doubled).
     */
    @Test
    void anIoErrorInsideLuceneReopensTheLastCommitAndReplays(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        GallerySettings settings = settings(dir, topic);
        try (Gallery g = Gallery.open(settings, bootstrap);
                GalleryWriter other = new GalleryWriter(bootstrap, topic, "other")) {
            g.createGallery("book", GalleryKind.BOOKING, Map.of());
            for (int s = 0; s < 3; s++) {
                g.enrol(new Subject("book", "s" + s, "", Map.of()));
                g.addMedium(medium("book", "s" + s, "m0", feature(s, noise, 0.3), jpeg(s)));
            }
            awaitTrue(
                    () -> GalleryIndex.lastCommitData(dir).containsKey(GalleryReplica.CAUGHT_UP_AT),
                    Duration.ofSeconds(10),
                    "a commit that records when the replica was caught up");
            Path lucene = dir.resolve("lucene");
            Path away = dir.resolve("lucene.away");
            Files.move(lucene, away);
            Files.write(lucene, new byte[0]);
            long last = -1;
            for (int i = 1; i <= 3; i++) {
                last = other.publish(new GalleryChange.PutMedium(
                        medium("book", "s" + (i % 3), "m" + i, feature(i % 3, noise, 0.3), jpeg(100 + i))));
            }
            Health down =
                    await(() -> g.replicationHealth(), h -> h.status() == Health.Status.DOWN, Duration.ofSeconds(20));
            assertTrue(down.detail().startsWith("retrying after IO error: "), down.detail());
            Thread.sleep(500);
            assertEquals(
                    Health.Status.DOWN,
                    g.replicationHealth().status(),
                    g.replicationHealth().detail());
            assertEquals(
                    3,
                    g.search(SearchRequest.of("book", ADAFACE, feature(1, noise, 0.3), 10))
                            .hits()
                            .size(),
                    "searches go on meanwhile");

            Files.delete(lucene);
            Files.move(away, lucene);
            g.awaitApplied(last);
            await(() -> g.replicationHealth(), h -> h.status() == Health.Status.UP, Duration.ofSeconds(20));
            TopicState topicState = TopicState.read(bootstrap, topic);
            IndexContents.assertEqualsTopic(topicState, g.index(), "book");
            // one fused template per subject, each over all its media
            List<Hit> hits = g.search(SearchRequest.of("book", ADAFACE, feature(1, noise, 0.3), 10)
                            .withMode(SearchMode.EXACT))
                    .hits();
            assertEquals(3, hits.size(), hits.toString());
            assertEquals(0, g.replica().rebuilds());
        }
        try (Gallery again = Gallery.open(settings, bootstrap)) {
            IndexContents.assertEqualsTopic(TopicState.read(bootstrap, topic), again.index(), "book");
        }
    }

    // ---- 2. rebuild instead of trusting stale state ----

    /**
     * A replica is stopped; meanwhile a subject is deleted and compaction, with a short delete.retention.ms, removes
     * the tombstones as well: nothing in the topic says the subject was deleted any more. Resuming from its commit, the
     * replica would keep the subject for ever; because it was away longer than delete.retention.ms, it rebuilds.
     */
    @Test
    void aReplicaAwayLongerThanDeleteRetentionRebuildsAndForgetsDeletedSubjects(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String topic = compactingTopic(bootstrap, 1000);
        Path a = dir.resolve("a");
        float[] probe = feature(1, noise, 0.3);
        try (Gallery g = Gallery.open(settings(a, topic), bootstrap)) {
            assertEquals(Duration.ofSeconds(1), g.replica().deleteRetention(), "read from the topic's config");
            g.createGallery("watch", GalleryKind.SURVEILLANCE, Map.of());
            for (int s = 1; s <= 2; s++) {
                g.enrol(new Subject("watch", "s" + s, "", Map.of()));
                g.addMedium(medium("watch", "s" + s, "m0", feature(s, noise, 0.3), jpeg(s)));
            }
        }
        long t0 = System.nanoTime();
        try (GalleryWriter other = new GalleryWriter(bootstrap, topic, "other")) {
            other.publishAll(List.of(
                    new GalleryChange.Remove(new GalleryKey.OfMedium("watch", "s1", "m0")),
                    new GalleryChange.Remove(new GalleryKey.OfSubject("watch", "s1"))));
            // keep appending (segments roll every 100 ms) until the cleaner has dropped s1's records and its tombstones
            int pad = 0;
            while (TopicState.keys(bootstrap, topic, 0, "read_committed").stream()
                    .anyMatch(k -> k.startsWith("watch/s1"))) {
                assertTrue(
                        System.nanoTime() - t0 < Duration.ofSeconds(90).toNanos(),
                        "compaction did not remove the tombstones");
                other.publish(new GalleryChange.DefineGallery(
                        new GalleryDefinition("pad", GalleryKind.SINGLE, Map.of("n", "" + pad++))));
                Thread.sleep(200);
            }
        }
        System.out.printf("tombstones compacted away after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        try (GalleryIndex stale = GalleryIndex.open(a, HnswSettings.defaults(), 16)) {
            assertTrue(stale.hasSubject(new GalleryKey.OfSubject("watch", "s1")), "the stopped replica still holds s1");
        }

        try (Gallery again = Gallery.open(settings(a, topic), bootstrap)) {
            assertEquals(1, again.replica().rebuilds());
            assertTrue(
                    again.replica().lastRebuildReason().contains("delete.retention.ms"),
                    again.replica().lastRebuildReason());
            assertTrue(again.subject(new GalleryKey.OfSubject("watch", "s1")).isEmpty(), "the deleted subject is gone");
            assertTrue(
                    again.medium(new GalleryKey.OfMedium("watch", "s1", "m0")).isEmpty());
            assertFalse(
                    Files.exists(again.index().crops().directory(new GalleryKey.OfSubject("watch", "s1"))),
                    "and its crops");
            List<Hit> hits = again.search(
                            SearchRequest.of("watch", ADAFACE, probe, 10).withMode(SearchMode.EXACT))
                    .hits();
            assertEquals(List.of("s2"), hits.stream().map(Hit::subjectId).toList());
            await(() -> again.replicationHealth(), h -> h.status() == Health.Status.UP, Duration.ofSeconds(10));
        }
    }

    /** The topic is deleted and created again with more records than before: only its id tells; the replica rebuilds. */
    @Test
    void aReCreatedTopicIsRebuiltFromAtStart(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        Path a = dir.resolve("a");
        long oldEnd;
        try (Gallery g = Gallery.open(settings(a, topic), bootstrap)) {
            g.createGallery("watch", GalleryKind.SURVEILLANCE, Map.of());
            for (int s = 0; s < 3; s++) {
                g.enrol(new Subject("watch", "s" + s, "", Map.of()));
                g.addMedium(medium("watch", "s" + s, "m0", feature(s, noise, 0.3), jpeg(s)));
            }
            oldEnd = TopicState.read(bootstrap, topic).endOffset;
        }
        recreate(bootstrap, topic);
        try (GalleryWriter w = new GalleryWriter(bootstrap, topic, "new")) {
            w.publish(new GalleryChange.DefineGallery(
                    new GalleryDefinition("watch", GalleryKind.SURVEILLANCE, Map.of())));
            w.publish(new GalleryChange.PutSubject(new Subject("watch", "s7", "", Map.of())));
            int n = 0;
            while (TopicState.read(bootstrap, topic).endOffset <= oldEnd + 2) {
                w.publish(new GalleryChange.PutMedium(medium("watch", "s7", "m" + n++, feature(7, noise, 0.3))));
            }
        }
        assertTrue(
                Long.parseLong(GalleryIndex.lastCommitData(a).get(GalleryIndex.NEXT_OFFSET))
                        < TopicState.read(bootstrap, topic).endOffset,
                "the old commit's offset lies inside the new log: offsets alone would not tell");
        try (Gallery again = Gallery.open(settings(a, topic), bootstrap)) {
            assertEquals(1, again.replica().rebuilds());
            assertTrue(
                    again.replica().lastRebuildReason().contains("re-created"),
                    again.replica().lastRebuildReason());
            IndexContents.assertEqualsTopic(TopicState.read(bootstrap, topic), again.index(), "watch");
            assertTrue(again.subject(new GalleryKey.OfSubject("watch", "s0")).isEmpty());
            assertTrue(again.subject(new GalleryKey.OfSubject("watch", "s7")).isPresent());
        }
    }

    /** The topic is re-created under a running replica: it notices (topic id, or an offset outside the log) and rebuilds. */
    @Test
    void aReCreatedTopicIsNoticedWhileRunning(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        try (Gallery g = Gallery.open(settings(dir, topic), bootstrap)) {
            g.createGallery("watch", GalleryKind.SURVEILLANCE, Map.of());
            for (int s = 0; s < 3; s++) {
                g.enrol(new Subject("watch", "s" + s, "", Map.of()));
                g.addMedium(medium("watch", "s" + s, "m0", feature(s, noise, 0.3), jpeg(s)));
            }
            recreate(bootstrap, topic);
            try (GalleryWriter w = new GalleryWriter(bootstrap, topic, "new")) {
                w.publish(new GalleryChange.DefineGallery(
                        new GalleryDefinition("watch", GalleryKind.SURVEILLANCE, Map.of())));
                w.publish(new GalleryChange.PutSubject(new Subject("watch", "s7", "", Map.of())));
                w.publish(new GalleryChange.PutMedium(medium("watch", "s7", "m0", feature(7, noise, 0.3))));
            }
            awaitTrue(
                    () -> g.subject(new GalleryKey.OfSubject("watch", "s0")).isEmpty()
                            && g.medium(new GalleryKey.OfMedium("watch", "s7", "m0"))
                                    .isPresent(),
                    Duration.ofSeconds(60),
                    "rebuilt from the new topic");
            assertTrue(g.replica().rebuilds() >= 1);
            await(() -> g.replicationHealth(), h -> h.status() == Health.Status.UP, Duration.ofSeconds(20));
            IndexContents.assertEqualsTopic(TopicState.read(bootstrap, topic), g.index(), "watch");
        }
    }

    // ---- helpers ----

    private static double counter(String name) {
        return Metrics.registry().counter(name).count();
    }

    private static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.get();
        while (!done.test(v)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout + "; last: " + v);
            }
            Thread.sleep(20);
            v = value.get();
        }
        return v;
    }

    private static void awaitTrue(BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** A gallery topic the log cleaner works on hard: segments roll every 100 ms, any dirt is cleaned. */
    private static String compactingTopic(String bootstrap, long deleteRetentionMs) throws Exception {
        String name = "test.gallery." + UUID.randomUUID();
        Fixtures.newTopic(
                bootstrap,
                name,
                Map.of(
                        "cleanup.policy",
                        "compact",
                        "max.message.bytes",
                        Integer.toString(16 << 20),
                        "delete.retention.ms",
                        Long.toString(deleteRetentionMs),
                        "segment.ms",
                        "100",
                        "min.cleanable.dirty.ratio",
                        "0.01",
                        "min.compaction.lag.ms",
                        "0"));
        return name;
    }

    /** Deletes the topic and creates it again under the same name (a new topic id), as an operator might. */
    private static void recreate(String bootstrap, String topic) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.deleteTopics(List.of(topic)).all().get();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                                    .configs(Map.of(
                                            "cleanup.policy",
                                            "compact",
                                            "max.message.bytes",
                                            Integer.toString(16 << 20)))))
                            .all()
                            .get();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200); // still being deleted
                }
            }
        }
        // wait until the new topic answers
        awaitTrue(
                () -> {
                    try {
                        TopicState.read(bootstrap, topic);
                        return true;
                    } catch (RuntimeException e) {
                        return false;
                    }
                },
                Duration.ofSeconds(30),
                "re-created topic readable");
    }
}

package io.facestream.gallery.replication;

import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.health.Backoff;
import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryChange;
import io.micrometer.core.instrument.Counter;
import java.io.IOError;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.lucene.store.AlreadyClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link GalleryIndex} equal to the compacted gallery topic. It reads the one partition from the offset
 * stored in the index's last commit (no consumer group: the index itself is the offset store, so the offset and
 * the data it covers are committed atomically), applies records in order, and commits index + next offset every
 * few seconds or records. A crash loses only the uncommitted tail, which is replayed: nothing lost, nothing doubled.
 *
 * <p>A record the gallery refuses (bad vector, unknown gallery, undecodable bytes) is logged with its offset and
 * counted in {@code facestream.gallery.rejected}; replication goes on, because one bad record must not stop every
 * replica forever.
 *
 * <p>It heals instead of freezing:
 * <ul>
 *   <li>An IO error while applying (disk full, a crop directory that cannot be written) is retried with backoff while
 *   {@link #health()} is DOWN. If Lucene's writer survived it, the same record (or batch end, or commit) is tried
 *   again, so nothing is skipped and nothing applied twice; if the error closed the writer (a failed segment
 *   flush), the index is reopened at its last commit and the topic replayed from there (applying is idempotent).</li>
 *   <li>It rebuilds from the topic's beginning (empty index, replay from offset 0) instead of trusting its state when
 *   that state may hold records the topic has deleted: the topic was re-created (its id differs from the one in the
 *   last commit, or the committed offset lies outside the log), or the replica has not been caught up with the topic
 *   for longer than the topic's {@code delete.retention.ms} while records were appended, so tombstones it never read
 *   may have been compacted away. The topic's id and {@code delete.retention.ms} are read through the Admin client
 *   at start and every {@link ReplicaSettings#topicCheckInterval()}.</li>
 * </ul>
 * Only what retrying cannot fix is FAILED: an unexpected exception, a topic with more than one partition.
 */
public final class GalleryReplica implements AutoCloseable {
    /** Commit data: the id of the topic the index was built from. */
    public static final String TOPIC_ID = "facestream.gallery.topic_id";
    /**
     * Commit data: a wall-clock time (ms) at which the topic's committed end was at or below the commit's next offset,
     * so every record after the commit was written later. The rebuild rule compares it with delete.retention.ms.
     */
    public static final String CAUGHT_UP_AT = "facestream.gallery.caught_up_at_ms";

    private static final long DEFAULT_DELETE_RETENTION_MS = 86_400_000L;
    private static final Logger log = LoggerFactory.getLogger(GalleryReplica.class);

    private final GalleryIndex index;
    private final ReplicaSettings settings;
    private final KafkaConnection kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AutoCloseable consumerMeters;
    private final Admin admin;
    private final TopicPartition partition;
    private final Deserializer<GalleryEntry> values =
            ProtobufSerde.galleryEntry().deserializer();
    private final Thread thread;
    private final Counter applied = Metrics.registry().counter("facestream.gallery.applied");
    private final Counter rejected = Metrics.registry().counter("facestream.gallery.rejected");
    private final Counter mergedDeletes = Metrics.registry().counter("facestream.gallery.deletes.merged");
    /** When the first delete not yet merged away was applied (System.nanoTime), or -1. */
    private long deletesSinceNanos = -1;
    /** When the replica last applied a record (System.nanoTime): the idle merge waits for a quiet index. */
    private long lastAppliedNanos = System.nanoTime();
    /** An idle merge was started in the background and has not been taken up by the searchers yet. */
    private boolean idleMerging;

    private final Counter idleMerges = Metrics.registry().counter("facestream.gallery.idle_merges");

    private final Counter ioRetries = Metrics.registry().counter("facestream.gallery.io_retries");
    private final Counter rebuildCount = Metrics.registry().counter("facestream.gallery.rebuilds");
    private final Object progress = new Object();
    private final Object pause = new Object();
    private volatile long appliedNextOffset;
    private volatile Throwable failure;
    private volatile boolean running = true;
    private long committedNextOffset;

    // healing state: written by the replica thread (and the constructor), read by health()
    private volatile String retrying;
    private volatile String rebuilding;
    private volatile String topicProblem;
    private volatile int rebuilds;
    private volatile String lastRebuildReason;
    private Rebuild pendingRebuild;
    private boolean needReopen;
    private boolean needResume;
    private int attempts;
    private long retryingSinceNanos;
    private long rebuildTarget;
    private long rebuildStartNanos;
    private Uuid topicId;
    private volatile long deleteRetentionMs;
    private long caughtUpAtMs = -1;
    private long committedCaughtUpAtMs = -1;
    private long lastTopicCheckNanos = System.nanoTime();
    private long lastProbeNanos;
    private long probeAtMs = -1;
    private long probeEnd;

    /** Why the index is emptied and the topic replayed from its beginning; {@code announce} false for a new index. */
    private record Rebuild(String reason, boolean announce) {}

    private record TopicFacts(Uuid id, int partitions, long deleteRetentionMs) {}

    /** A replica reading with Kafka's default client settings (PLAINTEXT). */
    public GalleryReplica(GalleryIndex index, String bootstrap, ReplicaSettings settings) {
        this(index, KafkaConnection.of(bootstrap), settings);
    }

    public GalleryReplica(GalleryIndex index, KafkaConnection kafka, ReplicaSettings settings) {
        this.index = index;
        this.settings = settings;
        this.kafka = kafka;
        this.consumer = new KafkaConsumer<>(KafkaClients.with(
                KafkaClients.consumer(kafka, null),
                Map.of(
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        Math.min(500, settings.commitMaxRecords()),
                        // never jump silently: an offset outside the log means a re-created topic, which is rebuilt
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "none")));
        this.admin = KafkaClients.admin(kafka);
        this.partition = new TopicPartition(settings.topic(), 0);
        try {
            var partitions = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(30));
            if (partitions == null || partitions.size() != 1) {
                throw new IllegalStateException("gallery topic " + settings.topic()
                        + " must exist with exactly 1 partition " + "(total order of gallery changes), found "
                        + (partitions == null ? 0 : partitions.size()));
            }
            TopicFacts facts = describeTopic(Duration.ofSeconds(30));
            if (facts == null) {
                throw new IllegalStateException("gallery topic " + settings.topic() + " does not exist");
            }
            this.topicId = facts.id();
            this.deleteRetentionMs = facts.deleteRetentionMs();
            consumer.assign(List.of(partition));
            resumeOrRebuild("start");
        } catch (RuntimeException e) {
            consumer.close();
            admin.close(Duration.ofSeconds(5));
            throw e;
        }
        this.thread = Thread.ofPlatform().name("gallery-replica").daemon().unstarted(this::run);
        this.consumerMeters = Metrics.bind(consumer);
    }

    public GalleryReplica start() {
        thread.start();
        return this;
    }

    // ---- where to start: resume at the last commit, or rebuild ----

    /**
     * Decides from the index's last commit and the topic as it is now whether to resume at the commit's offset or to
     * rebuild, and positions the consumer accordingly. Called at start and after the index was reopened.
     */
    private void resumeOrRebuild(String when) {
        Map<String, String> committed = index.committedData();
        OptionalLong next = index.committedNextOffset();
        long queriedAtMs = System.currentTimeMillis();
        long begin = consumer.beginningOffsets(List.of(partition), Duration.ofSeconds(30))
                .get(partition);
        long end =
                consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        String reason = next.isEmpty() ? null : staleReason(committed, next.getAsLong(), begin, end, queriedAtMs);
        if (next.isEmpty() || reason != null) {
            pendingRebuild = new Rebuild(next.isEmpty() ? "new index" : reason, next.isPresent());
            consumer.seek(partition, 0);
            committedNextOffset = -1;
            setApplied(0);
            return;
        }
        long o = next.getAsLong();
        String t = committed.get(CAUGHT_UP_AT);
        committedCaughtUpAtMs = t == null ? -1 : Long.parseLong(t);
        // nothing after the commit: the topic's end, as just asked, was the commit's offset
        caughtUpAtMs = end <= o ? queriedAtMs : committedCaughtUpAtMs;
        consumer.seek(partition, o);
        committedNextOffset = o;
        setApplied(o);
        log.info(
                "gallery replica of {} resumes at offset {} of {} ({})",
                settings.topic(),
                o,
                end,
                when.equals("start") ? "last commit" : "last commit, after " + when);
    }

    /** Why an index committed at {@code next} must not be trusted, or null. */
    private String staleReason(Map<String, String> committed, long next, long begin, long end, long nowMs) {
        String storedId = committed.get(TOPIC_ID);
        if (storedId != null && !storedId.equals(topicId.toString())) {
            return "the topic was re-created: its id is " + topicId + ", this index was built from " + storedId;
        }
        if (next > end) {
            return "the index resumes at offset " + next + " but the topic ends at " + end
                    + " (re-created or truncated)";
        }
        if (next < begin) {
            return "the topic now begins at offset " + begin + ", after the index's next offset " + next
                    + ": the records in between are gone";
        }
        if (end > next) {
            String t = committed.get(CAUGHT_UP_AT);
            if (t == null) {
                return "the index does not record when it was last caught up with the topic (written by an older version, "
                        + "or never caught up), and records were appended since, so tombstones among them may be compacted away";
            }
            long away = nowMs - Long.parseLong(t);
            if (away > staleAfterMs()) {
                return "this replica was last caught up with the topic " + Duration.ofMillis(away)
                        + " ago, longer than the "
                        + "topic's delete.retention.ms (" + Duration.ofMillis(deleteRetentionMs)
                        + "), and records were appended "
                        + "since: tombstones among them may have been compacted away";
            }
        }
        return null;
    }

    /** delete.retention.ms less a margin (a tenth, at most a minute) for the clocks of this host and the broker. */
    private long staleAfterMs() {
        long r = deleteRetentionMs;
        return r - Math.min(r / 10, 60_000);
    }

    // ---- the apply loop ----

    /** Commits at {@code next} after a merge: the commit is what lets the merged-away files go. */
    private void commitAfterMerge(long next) {
        index.commit(next, commitData());
        committedNextOffset = next;
        committedCaughtUpAtMs = caughtUpAtMs;
    }

    /**
     * The idle merge ({@link ReplicaSettings.IdleMerge}): once nothing has been applied for its time and the index has
     * more segments than it allows, starts merging them in the background (the replica goes on applying records
     * meanwhile); when that merge is done, lets the searchers see the merged segment and commits.
     *
     * @return whether it committed
     */
    private boolean mergeWhenIdle(long next) {
        ReplicaSettings.IdleMerge merge = settings.idleMerge();
        if (idleMerging) {
            if (index.merging()) {
                return false;
            }
            idleMerging = false;
            index.refresh();
            commitAfterMerge(next);
            idleMerges.increment();
            log.info("gallery index merged to {} segment(s) while idle", index.segments());
            return true;
        }
        if (merge.enabled()
                && System.nanoTime() - lastAppliedNanos >= merge.after().toNanos()
                && !index.merging()
                && index.segments() > merge.maxSegments()) {
            log.info(
                    "gallery index idle for {}: merging its {} segments down to {} in the background",
                    merge.after(),
                    index.segments(),
                    merge.maxSegments());
            index.mergeInBackground(merge.maxSegments());
            idleMerging = true;
        }
        return false;
    }

    private void run() {
        List<ConsumerRecord<String, byte[]>> batch = List.of();
        int cursor = 0;
        boolean appliedSinceBatchEnd = false;
        long lastCommitNanos = System.nanoTime();
        int sinceCommit = 0;
        while (running) {
            try {
                if (needReopen) {
                    index.reopenAtLastCommit();
                    needReopen = false;
                    needResume = true;
                }
                if (needResume) {
                    // the index went back to its last commit: so must the consumer (or rebuild, by the same rules as at
                    // start)
                    resumeOrRebuild("an IO error closed the index writer");
                    needResume = false;
                    batch = List.of();
                    cursor = 0;
                    sinceCommit = 0;
                    appliedSinceBatchEnd = false;
                }
                checkTopic();
                checkStale();
                if (pendingRebuild != null) {
                    rebuildNow();
                    batch = List.of();
                    cursor = 0;
                    sinceCommit = 0;
                }
                if (cursor >= batch.size()) {
                    batch = consumer.poll(settings.pollTimeout()).records(partition);
                    cursor = 0;
                }
                while (cursor < batch.size()) {
                    applyOne(batch.get(cursor));
                    cursor++;
                    sinceCommit++;
                    appliedSinceBatchEnd = true;
                    lastAppliedNanos = System.nanoTime();
                }
                long next = consumer.position(partition);
                if (appliedSinceBatchEnd || next != appliedNextOffset) {
                    index.finishBatch();
                    appliedSinceBatchEnd = false;
                }
                if (rebuilding != null && next >= rebuildTarget) {
                    log.info(
                            "gallery replica of {} rebuilt from the topic: applied up to offset {} in {} ms",
                            settings.topic(),
                            next,
                            (System.nanoTime() - rebuildStartNanos) / 1_000_000);
                    rebuilding = null;
                }
                publishProgress(next);
                if (probeAtMs < 0 && System.nanoTime() - lastProbeNanos >= probeIntervalNanos()) {
                    probeEnd();
                }
                reached(next);
                boolean due = sinceCommit >= settings.commitMaxRecords()
                        || System.nanoTime() - lastCommitNanos
                                >= settings.commitInterval().toNanos();
                // also commit a newer caught-up time alone, so that a crash after a quiet spell does not look stale
                boolean refresh = caughtUpAtMs >= 0
                        && (committedCaughtUpAtMs < 0 || caughtUpAtMs - committedCaughtUpAtMs > staleAfterMs() / 4);
                if (due && (next != committedNextOffset || refresh)) {
                    index.commit(next, commitData());
                    committedNextOffset = next;
                    committedCaughtUpAtMs = caughtUpAtMs;
                    sinceCommit = 0;
                    lastCommitNanos = System.nanoTime();
                    log.debug("gallery index committed at next offset {}", next);
                }
                if (deletesSinceNanos >= 0
                        && System.nanoTime() - deletesSinceNanos
                                >= settings.mergeDeletesAfter().toNanos()) {
                    // erasure: deleted documents leave the segment files, and the commit releases the old files
                    index.forceMergeDeletes();
                    commitAfterMerge(next);
                    sinceCommit = 0;
                    lastCommitNanos = System.nanoTime();
                    deletesSinceNanos = -1;
                    mergedDeletes.increment();
                    log.debug("gallery index: deleted documents merged away, committed at next offset {}", next);
                }
                if (mergeWhenIdle(next)) {
                    sinceCommit = 0;
                    lastCommitNanos = System.nanoTime();
                }
                recovered(next);
            } catch (WakeupException e) {
                // close() asked us to stop
            } catch (OffsetOutOfRangeException e) {
                outOfRange();
                batch = List.of();
                cursor = 0;
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                if (recoverable(t)) {
                    retryLater(t);
                    continue;
                }
                failure = t;
                log.error("gallery replica stopped: {}", t.toString(), t);
                synchronized (progress) {
                    progress.notifyAll();
                }
                return;
            }
        }
    }

    private void applyOne(ConsumerRecord<String, byte[]> r) {
        if (io.facestream.core.kafka.SegmentRoll.KEY.equals(r.key())) {
            return; // the marker that rolls the topic's segment after deletes: no gallery change
        }
        GalleryChange change;
        try {
            change = EntryCodec.decode(r.key(), values.deserialize(r.topic(), r.value()));
            index.apply(change);
            applied.increment();
            if (change instanceof GalleryChange.Remove && deletesSinceNanos < 0) {
                deletesSinceNanos = System.nanoTime();
            }
        } catch (IllegalArgumentException | org.apache.kafka.common.errors.SerializationException e) {
            rejected.increment();
            log.error("gallery record refused: offset {} key '{}': {}", r.offset(), r.key(), e.getMessage());
        }
    }

    private Map<String, String> commitData() {
        Map<String, String> data = new HashMap<>();
        data.put(TOPIC_ID, topicId.toString());
        if (caughtUpAtMs >= 0) {
            data.put(CAUGHT_UP_AT, Long.toString(caughtUpAtMs));
        }
        return data;
    }

    private long probeIntervalNanos() {
        return Math.max(
                settings.pollTimeout().toNanos(),
                Math.min(settings.commitInterval().toNanos(), TimeUnit.MILLISECONDS.toNanos(staleAfterMs() / 4)));
    }

    /**
     * Asks the topic's committed end E at time t: every record at or after E was written after t. Once the replica has
     * applied everything before E (see {@link #reached}), t is a time after which every record it has not applied yet
     * was written: the caught-up time the rebuild rule compares with delete.retention.ms. Works under constant writes
     * too, where the replica is never exactly at the end.
     */
    private void probeEnd() {
        lastProbeNanos = System.nanoTime();
        long askedAtMs = System.currentTimeMillis();
        try {
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5))
                    .get(partition);
            probeAtMs = askedAtMs;
            probeEnd = end;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            log.debug("gallery replica: the topic's end is not known now: {}", e.getMessage());
        }
    }

    private void reached(long next) {
        if (probeAtMs >= 0 && next >= probeEnd) {
            caughtUpAtMs = Math.max(caughtUpAtMs, probeAtMs);
            probeAtMs = -1;
        }
    }

    /** A replica that has not been caught up for longer than the tombstones live may have missed some: rebuild. */
    private void checkStale() {
        if (pendingRebuild != null || caughtUpAtMs < 0) {
            return;
        }
        long behind = System.currentTimeMillis() - caughtUpAtMs;
        if (behind > staleAfterMs()) {
            pendingRebuild = new Rebuild(
                    "this replica has not been caught up with the topic for " + Duration.ofMillis(behind)
                            + ", longer than the topic's delete.retention.ms (" + Duration.ofMillis(deleteRetentionMs)
                            + "): tombstones written meanwhile may have been compacted away",
                    true);
        }
    }

    /** Every topicCheckInterval: the topic's id (re-created?) and delete.retention.ms (changed?). */
    private void checkTopic() {
        if (System.nanoTime() - lastTopicCheckNanos
                < settings.topicCheckInterval().toNanos()) {
            return;
        }
        lastTopicCheckNanos = System.nanoTime();
        TopicFacts facts;
        try {
            facts = describeTopic(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("gallery replica: cannot describe topic {} now: {}", settings.topic(), e.toString());
            return;
        }
        if (facts == null) {
            if (topicProblem == null) {
                log.warn(
                        "gallery topic {} does not exist (deleted?); the replica keeps its state and waits",
                        settings.topic());
            }
            topicProblem = "the gallery topic " + settings.topic() + " does not exist";
            return;
        }
        topicProblem = null;
        if (facts.partitions() != 1) {
            throw new IllegalStateException("gallery topic " + settings.topic() + " now has " + facts.partitions()
                    + " partitions; a gallery topic must have exactly 1");
        }
        deleteRetentionMs = facts.deleteRetentionMs();
        if (!facts.id().equals(topicId)) {
            Uuid old = topicId;
            topicId = facts.id();
            pendingRebuild = new Rebuild(
                    "the topic was re-created while this replica ran: its id changed from " + old + " to " + facts.id(),
                    true);
        }
    }

    /** The consumer's position is outside the log (auto.offset.reset=none): the topic was re-created or truncated. */
    private void outOfRange() {
        long position = appliedNextOffset;
        String where;
        try {
            long begin = consumer.beginningOffsets(List.of(partition), Duration.ofSeconds(5))
                    .get(partition);
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5))
                    .get(partition);
            where = "it now spans offsets " + begin + " to " + end;
        } catch (RuntimeException e) {
            where = "its offsets are unknown now";
        }
        try {
            TopicFacts facts = describeTopic(Duration.ofSeconds(5));
            if (facts != null) {
                topicId = facts.id();
                lastTopicCheckNanos = System.nanoTime();
            }
        } catch (RuntimeException e) {
            log.debug("gallery replica: cannot describe topic {} now: {}", settings.topic(), e.toString());
        }
        pendingRebuild = new Rebuild(
                "offset " + position + " is no longer in the topic (" + where + "): it was re-created or truncated",
                true);
    }

    /** Empties the index and crop store and replays the topic from offset 0. */
    private void rebuildNow() {
        Rebuild r = pendingRebuild;
        if (r.announce()) {
            log.warn("gallery replica of {} rebuilds from the topic's beginning: {}", settings.topic(), r.reason());
        }
        index.clear();
        consumer.seek(partition, 0);
        rebuildTarget =
                consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        rebuildStartNanos = System.nanoTime();
        committedNextOffset = -1;
        caughtUpAtMs = -1;
        committedCaughtUpAtMs = -1;
        probeAtMs = -1;
        setApplied(0);
        if (r.announce()) {
            lastRebuildReason = r.reason();
            rebuilds++;
            rebuildCount.increment();
            rebuilding = r.reason();
        }
        pendingRebuild = null;
    }

    // ---- IO errors ----

    /**
     * IO errors (disk full, a directory that cannot be written, Lucene's writer closed by one) and Kafka errors that
     * are retriable by definition are retried; anything else is a bug or a state retrying cannot fix.
     */
    private boolean recoverable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException || c instanceof IOError || c instanceof RetriableException) {
                return true;
            }
            if (c instanceof AlreadyClosedException && !index.writerUsable()) {
                return true;
            }
        }
        return false;
    }

    private void retryLater(Throwable t) {
        if (attempts == 0) {
            retryingSinceNanos = System.nanoTime();
        }
        attempts++;
        ioRetries.increment();
        long backoff = new Backoff(settings.retryBackoffMin(), settings.retryBackoffMax())
                .delay(attempts)
                .toMillis();
        boolean reopen = !index.writerUsable();
        if (reopen) {
            needReopen = true;
        }
        String what = rootMessage(t);
        retrying = "retrying after IO error: " + what + " (attempt " + attempts + ", next in " + backoff + " ms"
                + (reopen ? ", the index will be reopened at its last commit" : "") + ")";
        if (Backoff.worthLogging(attempts)) {
            log.warn(
                    "gallery replica of {}: {}; {}",
                    settings.topic(),
                    t.toString(),
                    retrying,
                    attempts == 1 ? t : null);
        }
        synchronized (pause) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            while (running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    pause.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void recovered(long next) {
        if (retrying != null) {
            log.info(
                    "gallery replica of {} recovered after {} attempts in {} ms; applying again at offset {}",
                    settings.topic(),
                    attempts,
                    (System.nanoTime() - retryingSinceNanos) / 1_000_000,
                    next);
            retrying = null;
            attempts = 0;
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? t.toString() : t.getMessage() + " (" + c + ")";
    }

    // ---- topic facts through the Admin client ----

    /** The topic's id, partition count and delete.retention.ms; null when it does not exist. */
    private TopicFacts describeTopic(Duration timeout) {
        try {
            TopicDescription d = admin.describeTopics(List.of(settings.topic()))
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(settings.topic());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, settings.topic());
            Config c = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry e = c == null ? null : c.get("delete.retention.ms");
            long retention = e == null || e.value() == null ? DEFAULT_DELETE_RETENTION_MS : Long.parseLong(e.value());
            return new TopicFacts(d.topicId(), d.partitions().size(), retention);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new IllegalStateException(
                    "cannot describe gallery topic " + settings.topic() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "cannot describe gallery topic " + settings.topic() + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing gallery topic " + settings.topic(), e);
        }
    }

    // ---- progress ----

    private void publishProgress(long next) {
        if (next != appliedNextOffset) {
            setApplied(next);
        }
    }

    /** Also moves backwards: after a reopen or a rebuild, searches see less until the replay catches up. */
    private void setApplied(long next) {
        synchronized (progress) {
            appliedNextOffset = next;
            progress.notifyAll();
        }
    }

    /** The offset after the last applied record: searches see everything before it. */
    public long appliedNextOffset() {
        return appliedNextOffset;
    }

    /**
     * UP while applying; DOWN while it retries after an IO error, rebuilds from the topic or finds no topic (each
     * recovers by itself); FAILED once the apply thread stopped for good.
     */
    public Health health() {
        Throwable f = failure;
        if (f != null) {
            return Health.failed("the gallery replica stopped applying the topic: " + f);
        }
        String r = retrying;
        if (r != null) {
            return Health.down(r);
        }
        String p = topicProblem;
        if (p != null) {
            return Health.down(p);
        }
        String b = rebuilding;
        if (b != null) {
            return Health.down("rebuilding from the topic's beginning (" + b + "); next offset " + appliedNextOffset);
        }
        return Health.up("applying; next offset " + appliedNextOffset);
    }

    /** How many times this replica rebuilt from the topic's beginning (a new index's first replay not counted). */
    public int rebuilds() {
        return rebuilds;
    }

    /** Why this replica last rebuilt from the topic's beginning; null if it never did. */
    public String lastRebuildReason() {
        return lastRebuildReason;
    }

    /** The topic's delete.retention.ms as last read from its config. */
    public Duration deleteRetention() {
        return Duration.ofMillis(deleteRetentionMs);
    }

    /** Waits until the record at {@code offset} is applied and searchable. */
    public void awaitApplied(long offset, Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (appliedNextOffset <= offset) {
                if (failure != null) {
                    throw new IllegalStateException("gallery replica failed: " + failure.getMessage(), failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("gallery replica did not apply offset " + offset + " within " + timeout
                            + " (applied up to " + (appliedNextOffset - 1) + ")"
                            + (retrying != null ? "; " + retrying : ""));
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the gallery replica", e);
                }
            }
        }
    }

    /** Waits until everything in the topic when this is called has been applied (how a new instance catches up). */
    public void catchUp(Duration timeout) throws TimeoutException {
        long end = endOffset();
        if (end > 0) {
            awaitApplied(end - 1, timeout);
        }
    }

    /** The topic's end, asked by a consumer of its own: the replica's consumer belongs to the replica thread. */
    private long endOffset() {
        try (KafkaConsumer<String, byte[]> probe = new KafkaConsumer<>(KafkaClients.consumer(kafka, null))) {
            return probe.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        }
    }

    public Throwable failure() {
        return failure;
    }

    /** Stops applying and commits what was applied, so the next start replays nothing. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        synchronized (pause) {
            pause.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean quiet = !thread.isAlive()
                && failure == null
                && pendingRebuild == null
                && !needReopen
                && !needResume
                && index.writerUsable();
        if (quiet) {
            // the replica thread is gone: its consumer is ours now (a wakeup meant for that thread may be pending)
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    probeEnd();
                    reached(appliedNextOffset);
                    break;
                } catch (WakeupException e) {
                    // consumed; ask again
                } catch (RuntimeException e) {
                    log.debug("gallery replica: the topic's end is not known at close: {}", e.toString());
                    break;
                }
            }
        }
        if (quiet && (appliedNextOffset != committedNextOffset || caughtUpAtMs > committedCaughtUpAtMs)) {
            try {
                index.commit(appliedNextOffset, commitData());
            } catch (RuntimeException e) {
                log.warn(
                        "gallery replica of {}: not committed on close ({}); the next start replays from the last commit",
                        settings.topic(),
                        e.toString());
            }
        }
        Metrics.unbind(consumerMeters);
        consumer.close();
        admin.close(Duration.ofSeconds(5));
    }
}

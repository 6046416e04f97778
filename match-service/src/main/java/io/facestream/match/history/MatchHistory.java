package io.facestream.match.history;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.Match;
import io.facestream.core.health.Backoff;
import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.DeadLetterMeter;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.topics.TopicCatalog;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every decision of {@code facestream.matches} for as long as the topic keeps it, queryable: a consumer
 * ({@code read_committed}, no group: each match instance keeps its own history, like its gallery replica) writes each
 * decision into a {@link HistoryIndex} on disk and commits the index together with the next offset of every
 * partition in the Lucene commit's user data. A restart resumes at those offsets: nothing is read twice, and what was
 * read after the last commit is read again and replaces itself (the match id is the document's key).
 *
 * <p>Privacy, as for the API's recent matches (docs/privacy.md): a decision naming an erased subject loses its best
 * face ({@link #erase}, and on reading when the gallery replica no longer has the subject); a decision other than
 * HIT loses it after {@code privacy.unknown-retention}; a decision whose track is older than the topic's retention
 * is deleted (capture time, checked every {@code match.history.sweep-interval}), so the history never keeps a
 * decision longer than the topic does. Deleted and rewritten documents are merged out of the index files after an
 * erasure.
 *
 * <p>A record that is no valid decision ({@link DecisionCheck}) goes to {@code facestream.dlq} with its reason (stage
 * {@value #STAGE}) and the rest keep flowing.
 *
 * <p>An IO error (a full disk) does not stop it: {@link #health()} is DOWN while it retries with backoff (0.5 s
 * doubling to 30 s), each time reopening the index at its last commit and reading the topic again from that commit's
 * offsets, so nothing is skipped and nothing kept twice; UP again after the first commit that succeeds. Only what a
 * retry cannot fix (a bug, a dead letter that cannot be written) is FAILED.
 */
public final class MatchHistory implements AutoCloseable {
    /** {@code fs.dlq.stage} of the history's dead letters. */
    public static final String STAGE = "match-history";

    static final String OFFSET_PREFIX = "facestream.history.next-offset.";
    static final String TOPIC_ID = "facestream.history.topic-id";
    private static final Logger LOG = LoggerFactory.getLogger(MatchHistory.class);

    private final HistorySettings settings;
    private final HistoryIndex index;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final AutoCloseable consumerMeters;
    /** Subjects and galleries erased while this history ran, and subjects deleted before. */
    private final io.facestream.match.erasure.ErasedSubjects erased;

    private final Clock clock;
    private final DecisionCheck check = new DecisionCheck();
    private final Thread thread;
    private final Object lock = new Object();
    private final Counter stored = Metrics.registry().counter("facestream.match.history.decisions");
    private final AtomicLong recordsRead = new AtomicLong();
    private final Map<Integer, Long> resumedAt;

    // guarded by lock
    private final Map<Integer, Long> applied = new TreeMap<>();
    private String topicId;
    private boolean dirty;

    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile Throwable failure;

    // IO errors: written by the history's thread, retrying also read by health()
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private volatile String retrying;
    private int attempts;
    private boolean needReopen;

    private MatchHistory(
            HistorySettings settings,
            KafkaConnection kafka,
            BiPredicate<String, String> deletedBefore,
            Clock clock,
            HistoryIndex.DirectoryOpener opener) {
        this.settings = settings;
        this.erased = new io.facestream.match.erasure.ErasedSubjects(deletedBefore);
        this.clock = clock;
        this.index = new HistoryIndex(settings.dir(), opener);
        KafkaConsumer<String, byte[]> c = null;
        Producer<byte[], byte[]> p = null;
        try {
            c = new KafkaConsumer<>(KafkaClients.with(
                    KafkaClients.consumer(kafka, null),
                    Map.of(
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest",
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                            1000)));
            p = new KafkaProducer<>(KafkaClients.with(
                    KafkaClients.producer(kafka, "facestream-match-history-dlq"),
                    Map.of(
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                            ByteArraySerializer.class.getName(),
                            ProducerConfig.LINGER_MS_CONFIG,
                            0)));
            this.consumer = c;
            this.deadLetters = p;
            this.topicId = topicId(kafka);
            this.resumedAt = position();
        } catch (RuntimeException | IOException e) {
            if (c != null) {
                c.close();
            }
            if (p != null) {
                p.close();
            }
            try {
                index.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        this.consumerMeters = Metrics.bind(consumer);
        this.thread = Thread.ofPlatform().name("match-history").daemon().unstarted(this::run);
    }

    /**
     * Opens the history in {@code settings.dir()} and starts following the topic.
     *
     * @param deletedBefore whether a candidate's subject ({@code gallery, subject}) was deleted before this history
     *                      started: the match service asks its gallery replica
     */
    public static MatchHistory start(
            HistorySettings settings, KafkaConnection kafka, BiPredicate<String, String> deletedBefore, Clock clock) {
        return start(settings, kafka, deletedBefore, clock, org.apache.lucene.store.FSDirectory::open);
    }

    /** The same on a directory of the caller's: a test's that fails its writes like a full disk. */
    static MatchHistory start(
            HistorySettings settings,
            KafkaConnection kafka,
            BiPredicate<String, String> deletedBefore,
            Clock clock,
            HistoryIndex.DirectoryOpener opener) {
        MatchHistory h = new MatchHistory(settings, kafka, deletedBefore, clock, opener);
        h.thread.start();
        return h;
    }

    private static String topicId(KafkaConnection kafka) {
        try (Admin admin = KafkaClients.admin(kafka)) {
            return admin.describeTopics(List.of(TopicCatalog.MATCHES))
                    .allTopicNames()
                    .get()
                    .get(TopicCatalog.MATCHES)
                    .topicId()
                    .toString();
        } catch (Exception e) {
            // without the id the offsets are still checked against the log's ends below
            LOG.warn("match history: cannot read the id of {}: {}", TopicCatalog.MATCHES, e.toString());
            return null;
        }
    }

    /**
     * Positions the consumer at the offsets of the index's last commit, or rebuilds (empty index, every partition from
     * its beginning) when the commit is of another topic: re-created, or truncated below the committed offsets.
     */
    private Map<Integer, Long> position() throws IOException {
        List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.MATCHES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(TopicCatalog.MATCHES, p.partition()))
                .toList();
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        Map<String, String> data = index.committedData();
        String stored = data.get(TOPIC_ID);
        String rebuild = null;
        if (stored != null && topicId != null && !stored.equals(topicId)) {
            rebuild = "the topic was re-created: its id is " + topicId + ", the history was built from " + stored;
        }
        Map<Integer, Long> at = new TreeMap<>();
        for (TopicPartition tp : parts) {
            String o = data.get(OFFSET_PREFIX + tp.partition());
            if (o == null) {
                at.put(tp.partition(), begin.get(tp));
                continue;
            }
            long next = Long.parseLong(o);
            if (next > end.get(tp) && rebuild == null) {
                rebuild = "partition " + tp.partition() + " ends at " + end.get(tp) + ", before the history's offset "
                        + next + " (re-created or truncated)";
            }
            // below the log's beginning: the records in between are past retention, and so are their documents
            at.put(tp.partition(), Math.max(next, begin.get(tp)));
        }
        if (rebuild != null) {
            LOG.warn("match history rebuilds from the beginning of {}: {}", TopicCatalog.MATCHES, rebuild);
            index.deleteAll();
            parts.forEach(tp -> at.put(tp.partition(), begin.get(tp)));
            dirty = true;
        }
        for (TopicPartition tp : parts) {
            consumer.seek(tp, at.get(tp.partition()));
        }
        synchronized (lock) {
            applied.clear();
            applied.putAll(at);
        }
        LOG.info("match history in {} resumes {} at {}", settings.dir(), TopicCatalog.MATCHES, at);
        return Map.copyOf(at);
    }

    private void run() {
        long lastCommit = System.nanoTime();
        long lastSweep = System.nanoTime() - settings.sweepInterval().toNanos(); // sweep once at start
        while (running) {
            try {
                if (needReopen) {
                    synchronized (lock) {
                        index.reopen();
                        position();
                        // a real write (a new commit point, the same offsets) before saying the disk takes writes again
                        commit();
                    }
                    needReopen = false;
                    recovered();
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                synchronized (lock) {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        apply(r);
                        applied.put(r.partition(), r.offset() + 1);
                        dirty = true;
                    }
                    if (!records.isEmpty()) {
                        index.refresh();
                    }
                    if (System.nanoTime() - lastSweep
                            >= settings.sweepInterval().toNanos()) {
                        sweep();
                        lastSweep = System.nanoTime();
                    }
                    if (dirty
                            && System.nanoTime() - lastCommit
                                    >= settings.commitInterval().toNanos()) {
                        commit();
                        lastCommit = System.nanoTime();
                    }
                }
                if (records.isEmpty()) {
                    caughtUp = true;
                }
            } catch (WakeupException e) {
                // close() asked us to stop
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                if (ioError(t)) {
                    retryLater(t);
                    continue;
                }
                failure = t;
                LOG.error("match history stopped: {}", t.toString(), t);
                return;
            }
        }
    }

    /**
     * A full disk, a file that cannot be written, Lucene's writer closed by one, or a Kafka error that is retriable by
     * definition (the broker away while the history repositions): what a retry may get past.
     */
    private static boolean ioError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException
                    || c instanceof java.io.IOError
                    || c instanceof org.apache.lucene.store.AlreadyClosedException
                    || c instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

    private void retryLater(Throwable t) {
        attempts++;
        needReopen = true;
        long backoff = RETRY.delay(attempts).toMillis();
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        retrying = "the match history cannot write (" + root + "); retrying from its last commit, attempt " + attempts
                + ", next in " + backoff + " ms";
        if (Backoff.worthLogging(attempts)) {
            LOG.warn("{}", retrying, attempts == 1 ? t : null);
        }
        long until = System.nanoTime() + backoff * 1_000_000;
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, backoff));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void recovered() {
        LOG.info("match history: writing again after {} attempt(s)", attempts);
        retrying = null;
        attempts = 0;
    }

    private void apply(ConsumerRecord<String, byte[]> r) throws Exception {
        recordsRead.incrementAndGet();
        Match m;
        try {
            m = check.check(r.key(), r.value());
        } catch (DecisionCheck.Refused e) {
            DeadLetterMeter.count(STAGE, e.rule);
            LOG.warn(
                    "match history: record {}-{}@{} refused, sent to {}: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    TopicCatalog.DLQ,
                    e.getMessage());
            // written before the offset is committed: a dead letter that cannot be written stops the history
            deadLetters.send(DeadLetter.of(r, STAGE, e.getMessage())).get();
            return;
        }
        long now = nowUs();
        if (m.endTsUs() < now - micros(settings.retention())) {
            return; // past the topic's retention: still in the log only until its segment goes
        }
        if (namesErased(m) || unknownExpired(m, now)) {
            m = m.withoutBestFace();
        }
        index.put(m);
        stored.increment();
    }

    private boolean unknownExpired(Match m, long nowUs) {
        return m.decision() != Match.Decision.HIT && m.endTsUs() < nowUs - micros(settings.unknownRetention());
    }

    private boolean namesErased(Match m) {
        return erased.names(m);
    }

    private void sweep() throws IOException {
        long now = nowUs();
        long deleted = index.deleteOlderThan(now - micros(settings.retention()));
        int stripped = index.stripUnknownOlderThan(now - micros(settings.unknownRetention()));
        if (deleted > 0 || stripped > 0) {
            dirty = true;
            LOG.info(
                    "match history: {} decisions past the retention of {} deleted, {} unknown faces past"
                            + " privacy.unknown-retention dropped",
                    deleted,
                    TopicCatalog.MATCHES,
                    stripped);
            if (deleted > 0) {
                commit();
                index.forceMergeDeletes();
            }
        }
    }

    /** Commits the index with the next offset of every partition it has applied (holds the lock). */
    private void commit() throws IOException {
        Map<String, String> data = new HashMap<>();
        applied.forEach((p, o) -> data.put(OFFSET_PREFIX + p, Long.toString(o)));
        if (topicId != null) {
            data.put(TOPIC_ID, topicId);
        }
        index.commit(data);
        dirty = false;
    }

    /**
     * Erasure: every decision naming the subject (any candidate; {@code subjectId} null for a whole gallery) loses its
     * face data in the history, now and when read later; committed, and the old documents merged out of the files.
     *
     * @return how many decisions lost their face data
     */
    public int erase(String gallery, String subjectId) {
        synchronized (lock) {
            erased.erase(gallery, subjectId);
            try {
                int n = index.erase(gallery, subjectId);
                commit();
                if (n > 0) {
                    index.forceMergeDeletes();
                    index.commit(committedData());
                }
                LOG.info(
                        "match history: {} decisions naming {} lost their face data",
                        n,
                        subjectId == null ? "gallery " + gallery : gallery + "/" + subjectId);
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "the match history could not erase " + gallery + "/" + subjectId + ": " + e.getMessage(), e);
            }
        }
    }

    private Map<String, String> committedData() {
        return index.committedData();
    }

    /** A page of the history, newest first. */
    public HistoryPage query(HistoryQuery q) {
        try {
            HistoryIndex.Page p = index.query(q);
            long now = nowUs();
            // an unknown's face past its retention is not shown, even before the next sweep drops it
            List<Match> items = p.matches().stream()
                    .map(m -> m.bestFace() != null && unknownExpired(m, now) ? m.withoutBestFace() : m)
                    .toList();
            return new HistoryPage(
                    items, p.total(), p.next() == null ? null : p.next().encode());
        } catch (IOException e) {
            throw new UncheckedIOException("the match history could not be read: " + e.getMessage(), e);
        }
    }

    /** A page as the API returns it: the decisions, how many match the filter, the cursor of the next page. */
    public record HistoryPage(List<Match> items, long total, String nextCursor) {}

    /**
     * Whether {@code faces/<partition>/<offset>} is the best face of a decision in the history that may still show it
     * (a HIT, or another decision within {@code privacy.unknown-retention}): its crop may be served.
     */
    public boolean isBestFace(int partition, long offset) {
        try {
            return index.isBestFace(partition, offset, nowUs() - micros(settings.unknownRetention()));
        } catch (IOException e) {
            throw new UncheckedIOException("the match history could not be read: " + e.getMessage(), e);
        }
    }

    public int maxPage() {
        return settings.maxPage();
    }

    /** Where each partition was resumed at start (the last commit's offsets, or the log's beginning). */
    public Map<Integer, Long> resumedAt() {
        return resumedAt;
    }

    /** Records read from the topic since start. */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** Whether a poll came back empty since start: the history had read what the topic held. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * UP while following the topic (catching up after a start too: the API answers meanwhile, from what is read so far,
     * so a long topic does not hold the service unready), DOWN while retrying after an IO error, FAILED once stopped on
     * an error a retry cannot fix.
     */
    public Health health() {
        Throwable f = failure;
        if (f != null) {
            return Health.failed("the match history stopped: " + f);
        }
        String r = retrying;
        if (r != null) {
            return Health.down(r);
        }
        if (!caughtUp) {
            return Health.up("catching up with " + TopicCatalog.MATCHES + ": " + recordsRead.get() + " records read");
        }
        try {
            return Health.up("following " + TopicCatalog.MATCHES + ": " + index.size() + " decisions");
        } catch (IOException e) {
            return Health.failed("the match history cannot be read: " + e.getMessage());
        }
    }

    private long nowUs() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static long micros(Duration d) {
        return d.compareTo(Duration.ofDays(100_000)) > 0 ? Long.MAX_VALUE / 4 : d.toNanos() / 1000;
    }

    /** Stops following, commits what was applied and closes the index. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            synchronized (lock) {
                if (failure == null && dirty) {
                    commit();
                }
            }
        } catch (IOException e) {
            LOG.warn(
                    "match history: last commit failed ({}); the next start reads again from the one before",
                    e.toString());
        }
        try {
            Metrics.unbind(consumerMeters);
        } catch (RuntimeException e) {
            LOG.debug("unbinding the history consumer's meters: {}", e.toString());
        }
        consumer.close();
        deadLetters.close();
        try {
            index.close();
        } catch (IOException e) {
            LOG.warn("match history: closing the index failed: {}", e.toString());
        }
    }
}

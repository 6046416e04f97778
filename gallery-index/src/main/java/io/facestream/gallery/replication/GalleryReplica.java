package io.facestream.gallery.replication;

import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryChange;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
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
 */
public final class GalleryReplica implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GalleryReplica.class);

    private final GalleryIndex index;
    private final ReplicaSettings settings;
    private final KafkaConnection kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final Deserializer<GalleryEntry> values = ProtobufSerde.galleryEntry().deserializer();
    private final Thread thread;
    private final Counter applied = Metrics.registry().counter("facestream.gallery.applied");
    private final Counter rejected = Metrics.registry().counter("facestream.gallery.rejected");
    private final Object progress = new Object();
    private volatile long appliedNextOffset;
    private volatile Throwable failure;
    private volatile boolean running = true;
    private long committedNextOffset;

    /** A replica reading with Kafka's default client settings (PLAINTEXT). */
    public GalleryReplica(GalleryIndex index, String bootstrap, ReplicaSettings settings) {
        this(index, KafkaConnection.of(bootstrap), settings);
    }

    public GalleryReplica(GalleryIndex index, KafkaConnection kafka, ReplicaSettings settings) {
        this.index = index;
        this.settings = settings;
        this.kafka = kafka;
        this.consumer = new KafkaConsumer<>(KafkaClients.with(KafkaClients.consumer(kafka, null),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, settings.commitMaxRecords()))));
        var partitions = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(30));
        if (partitions == null || partitions.size() != 1) {
            consumer.close();
            throw new IllegalStateException("gallery topic " + settings.topic() + " must exist with exactly 1 partition "
                    + "(total order of gallery changes), found " + (partitions == null ? 0 : partitions.size()));
        }
        this.partition = new TopicPartition(settings.topic(), 0);
        consumer.assign(List.of(partition));
        long start = index.committedNextOffset().orElse(0L);
        consumer.seek(partition, start);
        this.appliedNextOffset = start;
        this.committedNextOffset = start;
        log.info("gallery replica of {} resumes at offset {} ({})", settings.topic(), start,
                index.committedNextOffset().isPresent() ? "last commit" : "new index");
        this.thread = Thread.ofPlatform().name("gallery-replica").daemon().unstarted(this::run);
    }

    public GalleryReplica start() {
        thread.start();
        return this;
    }

    private void run() {
        long lastCommitNanos = System.nanoTime();
        int sinceCommit = 0;
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(settings.pollTimeout());
                for (ConsumerRecord<String, byte[]> r : records) {
                    applyOne(r);
                    sinceCommit++;
                }
                long next = consumer.position(partition);
                if (!records.isEmpty() || next != appliedNextOffset) {
                    index.finishBatch();
                }
                boolean due = sinceCommit >= settings.commitMaxRecords()
                        || System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos();
                if (next != committedNextOffset && due) {
                    index.commit(next);
                    committedNextOffset = next;
                    sinceCommit = 0;
                    lastCommitNanos = System.nanoTime();
                    log.debug("gallery index committed at next offset {}", next);
                }
                publishProgress(next);
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            failure = t;
            log.error("gallery replica stopped: {}", t.toString(), t);
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private void applyOne(ConsumerRecord<String, byte[]> r) {
        GalleryChange change;
        try {
            change = EntryCodec.decode(r.key(), values.deserialize(r.topic(), r.value()));
            index.apply(change);
            applied.increment();
        } catch (IllegalArgumentException | org.apache.kafka.common.errors.SerializationException e) {
            rejected.increment();
            log.error("gallery record refused: offset {} key '{}': {}", r.offset(), r.key(), e.getMessage());
        }
    }

    private void publishProgress(long next) {
        if (next != appliedNextOffset) {
            synchronized (progress) {
                appliedNextOffset = next;
                progress.notifyAll();
            }
        }
    }

    /** The offset after the last applied record: searches see everything before it. */
    public long appliedNextOffset() {
        return appliedNextOffset;
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
                            + " (applied up to " + (appliedNextOffset - 1) + ")");
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
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure == null && appliedNextOffset != committedNextOffset) {
            index.commit(appliedNextOffset);
        }
        consumer.close();
    }
}

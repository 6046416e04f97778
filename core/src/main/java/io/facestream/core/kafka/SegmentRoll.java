package io.facestream.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes deleted data on a compacted topic physically go. Kafka's log cleaner only cleans closed segments, and a
 * segment is closed ("rolled") only when a record arrives after the segment is {@code segment.ms} old. Tombstones
 * written to a quiet topic would therefore sit in the active segment, with the records they delete, for as long as
 * nothing else is written. After deletes, {@link #afterDeletes} schedules one harmless record — a tombstone on the
 * reserved key {@link #KEY} on every partition — for {@code segment.ms} (as the topic has it) plus a second later, so the segment that holds
 * the deletes is old enough to be rolled by it, and the cleaner can then drop the deleted records (after
 * {@code min.compaction.lag.ms}, once {@code min.cleanable.dirty.ratio} is reached) and later the tombstones (after
 * {@code delete.retention.ms}). Readers of these topics skip the reserved key (a tombstone of a key nobody wrote).
 *
 * <p>The marker is scheduled in this process only: a process that stops before it is due writes none, and the next
 * write of any kind to the topic rolls the segment instead. Markers for one topic are not piled up: one pending marker
 * covers every delete made before it was scheduled.
 */
public final class SegmentRoll implements AutoCloseable {
    /** The reserved key of the roll marker: {@code _} is not a character of any gallery name or match id. */
    public static final String KEY = "_facestream.segment-roll";
    /** Added to {@code segment.ms}, so the marker is surely later than the segment's age limit. */
    static final Duration MARGIN = Duration.ofSeconds(1);
    /** Used when the topic's {@code segment.ms} cannot be read (Kafka's default: 7 days). */
    static final long DEFAULT_SEGMENT_MS = Duration.ofDays(7).toMillis();

    private static final Logger LOG = LoggerFactory.getLogger(SegmentRoll.class);

    private final KafkaConnection kafka;
    private final ScheduledExecutorService timer;
    /** Per topic, when its pending marker is due (epoch ms). */
    private final Map<String, Long> pending = new HashMap<>();
    private KafkaProducer<String, byte[]> producer;

    public SegmentRoll(KafkaConnection kafka) {
        this.kafka = kafka;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "segment-roll");
            t.setDaemon(true);
            return t;
        });
    }

    /** Schedules a marker on {@code topic} for {@code segment.ms} + 1 s from now, unless one is pending already. */
    public void afterDeletes(String topic) {
        synchronized (pending) {
            if (pending.containsKey(topic)) {
                return;
            }
            pending.put(topic, Long.MAX_VALUE);
        }
        try {
            timer.execute(() -> schedule(topic));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.debug("segment roll for {} not scheduled: closed", topic);
        }
    }

    private void schedule(String topic) {
        long delay = segmentMs(topic) + MARGIN.toMillis();
        synchronized (pending) {
            pending.put(topic, System.currentTimeMillis() + delay);
        }
        timer.schedule(() -> write(topic), delay, TimeUnit.MILLISECONDS);
        LOG.debug("segment roll marker for {} due in {} ms", topic, delay);
    }

    /** When the marker of {@code topic} is due (epoch ms), or -1 when none is pending. */
    public long dueAtMs(String topic) {
        synchronized (pending) {
            return pending.getOrDefault(topic, -1L);
        }
    }

    private long segmentMs(String topic) {
        try (Admin admin = KafkaClients.admin(kafka)) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            var e = c.get("segment.ms");
            return e == null || e.value() == null ? DEFAULT_SEGMENT_MS : Long.parseLong(e.value());
        } catch (Exception e) {
            LOG.warn("cannot read segment.ms of {} ({}); the roll marker after its deletes is due in {} days", topic,
                    e.toString(), Duration.ofMillis(DEFAULT_SEGMENT_MS).toDays());
            return DEFAULT_SEGMENT_MS;
        }
    }

    private void write(String topic) {
        synchronized (pending) {
            pending.remove(topic);
        }
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(KafkaClients.producer(kafka, "facestream-segment-roll"));
            }
            // one per partition: each partition has its own active segment
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (var p : producer.partitionsFor(topic)) {
                sent.add(producer.send(new ProducerRecord<>(topic, p.partition(), KEY, null)));
            }
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            LOG.info("wrote the segment roll marker to {}: the segment with the deletes can now be compacted", topic);
        } catch (Exception e) {
            LOG.warn("cannot write the segment roll marker to {} ({}); the next write to the topic rolls its segment instead",
                    topic, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}

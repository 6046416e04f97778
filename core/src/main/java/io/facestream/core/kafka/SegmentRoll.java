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
 * nothing else is written. After deletes, {@link #afterDeletes} writes harmless records — a tombstone on the reserved
 * key {@link #KEY} on every partition — every {@code segment.ms} (as the topic has it) plus a second, for a while:
 * the first rolls the segment that holds the deletes, so the cleaner can drop the deleted records (after
 * {@code min.compaction.lag.ms}, once {@code min.cleanable.dirty.ratio} is reached or {@code max.compaction.lag.ms}
 * has passed); the later ones give the cleaner new closed segments, so it runs again after the tombstones'
 * {@code delete.retention.ms} and drops them too. Readers of these topics skip the reserved key.
 *
 * <p>The markers are scheduled in this process only: a process that stops writes no more of them, and the next write
 * of any kind to the topic rolls the segment instead. One series runs per topic; a delete while it runs extends it.
 */
public final class SegmentRoll implements AutoCloseable {
    /** The reserved key of the roll marker: {@code _} is not a character of any gallery name or match id. */
    public static final String KEY = "_facestream.segment-roll";
    /** Added to {@code segment.ms}, so the marker is surely later than the segment's age limit. */
    static final Duration MARGIN = Duration.ofSeconds(1);
    /** Used when the topic's {@code segment.ms} cannot be read (Kafka's default: 7 days). */
    static final long DEFAULT_SEGMENT_MS = Duration.ofDays(7).toMillis();
    /** Used when the topic's {@code delete.retention.ms} cannot be read (Kafka's default: 1 day). */
    static final long DEFAULT_DELETE_RETENTION_MS = Duration.ofDays(1).toMillis();

    private static final Logger LOG = LoggerFactory.getLogger(SegmentRoll.class);

    private final KafkaConnection kafka;
    private final ScheduledExecutorService timer;
    /** Per topic, until when its series of markers runs (epoch ms). */
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

    /**
     * Schedules roll markers on {@code topic}: one every {@code segment.ms} + 1 s, until 3 × that plus
     * {@code delete.retention.ms} from now (a later call extends a series that is running). The first closes the
     * segment with the deletes, so the cleaner can drop the deleted records and mark the tombstones; a later one
     * closes the next segment, so the cleaner runs again once the tombstones' {@code delete.retention.ms} has passed,
     * and drops them too.
     */
    public void afterDeletes(String topic) {
        try {
            timer.execute(() -> schedule(topic));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.debug("segment roll for {} not scheduled: closed", topic);
        }
    }

    private void schedule(String topic) {
        long[] c = configs(topic);
        long interval = c[0] + MARGIN.toMillis();
        long until = System.currentTimeMillis() + 3 * interval + c[1];
        synchronized (pending) {
            Long running = pending.get(topic);
            pending.put(topic, running == null ? until : Math.max(running, until));
            if (running != null) {
                return; // the running series goes on until the later end
            }
        }
        timer.schedule(() -> write(topic, interval), interval, TimeUnit.MILLISECONDS);
        LOG.debug("segment roll markers for {} every {} ms until {}", topic, interval, until);
    }

    /** Until when markers are written to {@code topic} (epoch ms), or -1 when no series is running. */
    public long untilMs(String topic) {
        synchronized (pending) {
            return pending.getOrDefault(topic, -1L);
        }
    }

    /** {segment.ms, delete.retention.ms} of the topic. */
    private long[] configs(String topic) {
        try (Admin admin = KafkaClients.admin(kafka)) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(r))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(r);
            return new long[] {
                value(c, "segment.ms", DEFAULT_SEGMENT_MS), value(c, "delete.retention.ms", DEFAULT_DELETE_RETENTION_MS)
            };
        } catch (Exception e) {
            LOG.warn(
                    "cannot read segment.ms of {} ({}); the roll markers after its deletes are due every {} days",
                    topic,
                    e.toString(),
                    Duration.ofMillis(DEFAULT_SEGMENT_MS).toDays());
            return new long[] {DEFAULT_SEGMENT_MS, DEFAULT_DELETE_RETENTION_MS};
        }
    }

    private static long value(Config c, String name, long fallback) {
        var e = c.get(name);
        return e == null || e.value() == null ? fallback : Long.parseLong(e.value());
    }

    private void write(String topic, long interval) {
        synchronized (pending) {
            long until = pending.getOrDefault(topic, 0L);
            if (System.currentTimeMillis() + interval <= until) {
                timer.schedule(() -> write(topic, interval), interval, TimeUnit.MILLISECONDS);
            } else {
                pending.remove(topic);
            }
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
            LOG.warn(
                    "cannot write the segment roll marker to {} ({}); the next write to the topic rolls its segment instead",
                    topic,
                    e.toString());
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

package io.facestream.match.api.live;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Verdict;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases feedback about people in no gallery once it is older than {@code privacy.unknown-retention}: it follows the
 * compacted {@code facestream.feedback} topic from the beginning and writes a tombstone for the key of every record
 * that names nobody known, which compaction then removes within {@code privacy.erasure-deadline} (docs/privacy.md).
 *
 * <p>A record is about someone unknown unless it confirms a subject (verdict CONFIRM with a subject id): a rejection
 * says only who the face is not. Its age is counted from its {@code ts_us}, when the operator gave it. Every instance
 * sweeps; a key tombstoned twice is harmless.
 */
public final class UnknownFeedbackSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnknownFeedbackSweeper.class);
    private static final long SEND_TIMEOUT_S = 30;

    private final Producer<String, byte[]> producer;
    private final long retentionUs;
    private final long sweepEveryNanos;
    private final Clock clock;
    /** unknown feedback by key, with its ts_us: touched on the follower's thread only */
    private final Map<String, Long> unknown = new HashMap<>();

    private final AtomicLong tombstoned = new AtomicLong();
    private long lastSweep = System.nanoTime() - Long.MAX_VALUE / 2;
    private TopicFollower follower;

    private UnknownFeedbackSweeper(Producer<String, byte[]> producer, Duration retention, Clock clock) {
        this.producer = producer;
        this.retentionUs = retention.toNanos() / 1000;
        // a tenth of the retention between sweeps, between one second and one minute: late by at most that much
        this.sweepEveryNanos =
                Math.clamp(retention.toNanos() / 10, TimeUnit.SECONDS.toNanos(1), TimeUnit.MINUTES.toNanos(1));
        this.clock = clock;
    }

    /** @param producer writes the tombstones; shared with the API's feedback route (a Kafka producer is thread-safe) */
    public static UnknownFeedbackSweeper start(
            KafkaConnection kafka, Producer<String, byte[]> producer, Duration retention, Clock clock) {
        UnknownFeedbackSweeper s = new UnknownFeedbackSweeper(producer, retention, clock);
        s.follower = TopicFollower.start(
                kafka,
                TopicCatalog.FEEDBACK,
                TopicFollower.Start.BEGINNING,
                "feedback-retention",
                Duration.ofMillis(500),
                s::accept);
        return s;
    }

    /** Whether a feedback record is about someone in no gallery (so kept only for privacy.unknown-retention). */
    public static boolean aboutUnknown(Feedback f) {
        return f.getVerdict() != Verdict.CONFIRM || f.getSubjectId().isBlank();
    }

    /** Tombstones written since start. */
    public long tombstoned() {
        return tombstoned.get();
    }

    private void accept(ConsumerRecords<String, byte[]> records)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null) {
                continue; // cannot be tombstoned, and compaction refuses keyless records on this topic anyway
            }
            if (r.value() == null) {
                unknown.remove(r.key());
                continue;
            }
            Feedback f;
            try {
                f = Feedback.parseFrom(r.value());
            } catch (InvalidProtocolBufferException e) {
                // what it holds is unknown, so it is kept for the unknown retention like feedback about the unknown
                LOG.warn(
                        "unreadable feedback {}-{}@{}: treated as about someone unknown",
                        r.topic(),
                        r.partition(),
                        r.offset());
                unknown.put(r.key(), r.timestamp() * 1000);
                continue;
            }
            if (aboutUnknown(f)) {
                unknown.put(r.key(), f.getTsUs() > 0 ? f.getTsUs() : r.timestamp() * 1000);
            } else {
                unknown.remove(r.key());
            }
        }
        if (System.nanoTime() - lastSweep >= sweepEveryNanos) {
            lastSweep = System.nanoTime();
            sweep();
        }
    }

    private void sweep() throws InterruptedException, ExecutionException, TimeoutException {
        Instant now = clock.instant();
        long cutoff = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000 - retentionUs;
        List<String> due = new ArrayList<>();
        unknown.forEach((k, ts) -> {
            if (ts < cutoff) {
                due.add(k);
            }
        });
        for (String key : due) {
            producer.send(new ProducerRecord<>(TopicCatalog.FEEDBACK, key, null))
                    .get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
            unknown.remove(key);
            tombstoned.incrementAndGet();
        }
        if (!due.isEmpty()) {
            LOG.info(
                    "tombstoned {} feedback record(s) about people in no gallery, older than the unknown retention",
                    due.size());
        }
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
    }
}

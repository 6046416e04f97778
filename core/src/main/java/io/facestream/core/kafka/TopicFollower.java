package io.facestream.core.kafka;

import io.facestream.core.metrics.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic on a background thread, without a consumer group: each instance sees the whole
 * topic (release records, the match feed, a benchmark probe); or, with {@link #inGroup}, the partitions a consumer
 * group gives it. Without a group the start position is resolved before {@link #start} returns, so "from the end"
 * means records produced after the call. A handler failure stops the follower and is
 * kept for {@link #failure()}; {@link #close()} wakes the consumer and waits for the thread.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    /** Where reading starts. */
    public enum Start {
        BEGINNING,
        END
    }

    /** Called on the follower's thread with the result of every poll, empty ones included (a caught-up signal). */
    @FunctionalInterface
    public interface Handler {
        void accept(ConsumerRecords<String, byte[]> records) throws Exception;
    }

    /** As {@link Handler}, for {@link #replay}: with what was already in the topic when following started. */
    @FunctionalInterface
    public interface ReplayHandler {
        void accept(ConsumerRecords<String, byte[]> records, Replay replay) throws Exception;
    }

    /**
     * Where each partition ended when following started (for a read-committed reader: its last stable offset), and
     * whether this follower has read that far in every partition. A record below its partition's end is a replayed one;
     * one at or past it was written after the start. Read after each poll from the consumer's positions, not from the
     * last record's offset: a transactional topic ends with a commit marker that no record carries.
     */
    public record Replay(Map<Integer, Long> endAtStart, boolean caughtUp) {
        public Replay {
            endAtStart = Map.copyOf(endAtStart);
        }

        /** Whether {@code r} was already in the topic when following started. */
        public boolean replayed(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> r) {
            Long end = endAtStart.get(r.partition());
            return end != null && r.offset() < end;
        }
    }

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Duration pollTimeout;
    private final Handler handler;
    private final Thread thread;
    private final AutoCloseable meters;
    private volatile boolean running = true;
    private volatile Exception failure;
    /** For {@link #replay}: each partition's end at the start, and the handler told about it; null otherwise. */
    private Map<Integer, Long> endAtStart;

    private ReplayHandler replayHandler;
    private volatile boolean caughtUp;

    private TopicFollower(
            KafkaConsumer<String, byte[]> consumer,
            String topic,
            String threadName,
            Duration pollTimeout,
            Handler handler) {
        this.topic = topic;
        this.consumer = consumer;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
        this.meters = Metrics.bind(consumer);
    }

    /** Starts following {@code topic} on a daemon thread named {@code threadName}, with Kafka's default client settings. */
    public static TopicFollower start(
            String bootstrap, String topic, Start start, String threadName, Duration pollTimeout, Handler handler) {
        return start(KafkaConnection.of(bootstrap), topic, start, threadName, pollTimeout, handler);
    }

    /** Starts following {@code topic} on a daemon thread named {@code threadName}. */
    public static TopicFollower start(
            KafkaConnection kafka,
            String topic,
            Start start,
            String threadName,
            Duration pollTimeout,
            Handler handler) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        assign(consumer, kafka, topic, start);
        return started(new TopicFollower(consumer, topic, threadName, pollTimeout, handler));
    }

    /**
     * Assigns every partition of {@code topic} to {@code consumer} and resolves its start position now (seeks are
     * lazy); returns the partitions. On failure the consumer is closed.
     */
    private static List<TopicPartition> assign(
            KafkaConsumer<String, byte[]> consumer, KafkaConnection kafka, String topic, Start start) {
        try {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            if (start == Start.BEGINNING) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            parts.forEach(consumer::position);
            return parts;
        } catch (RuntimeException e) {
            consumer.close(Duration.ofSeconds(2));
            throw new IllegalStateException("cannot follow topic " + topic + " at " + kafka + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts reading {@code topic} from its beginning and tells the handler, with each poll, which records were already
     * there when following started (a window rebuilt at start, then live listeners) and whether it has read that far.
     * "Already there" is what a {@code read_committed} reader could see then (below each partition's last stable
     * offset): a transaction committed a moment before whose markers had not reached a partition yet counts as new.
     */
    public static TopicFollower replay(
            KafkaConnection kafka, String topic, String threadName, Duration pollTimeout, ReplayHandler handler) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        List<TopicPartition> parts = assign(consumer, kafka, topic, Start.BEGINNING);
        Map<Integer, Long> end = new java.util.HashMap<>();
        try {
            consumer.endOffsets(parts, Duration.ofSeconds(30)).forEach((tp, e) -> end.put(tp.partition(), e));
        } catch (RuntimeException e) {
            consumer.close(Duration.ofSeconds(2));
            throw new IllegalStateException("cannot follow topic " + topic + " at " + kafka + ": " + e.getMessage(), e);
        }
        TopicFollower f = new TopicFollower(consumer, topic, threadName, pollTimeout, records -> {});
        f.endAtStart = Map.copyOf(end); // set before the thread starts, which publishes them to it
        f.replayHandler = handler;
        return started(f);
    }

    /**
     * Starts reading {@code topic} as a member of consumer group {@code groupId} instead: the broker shares the
     * topic's partitions among the members, and {@code listener} hears which ones this member holds. Nothing is
     * committed. Closing leaves the group (the listener hears the partitions go).
     *
     * @param consumerConfig extra consumer settings (session timeout, heartbeat) over {@link KafkaClients#consumer}
     */
    public static TopicFollower inGroup(
            KafkaConnection kafka,
            String topic,
            String groupId,
            Map<String, Object> consumerConfig,
            ConsumerRebalanceListener listener,
            String threadName,
            Duration pollTimeout,
            Handler handler) {
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaClients.with(KafkaClients.consumer(kafka, groupId), consumerConfig));
        consumer.subscribe(List.of(topic), listener);
        return started(new TopicFollower(consumer, topic, threadName, pollTimeout, handler));
    }

    private static TopicFollower started(TopicFollower f) {
        f.thread.start();
        return f;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout);
                if (replayHandler == null) {
                    handler.accept(records);
                } else {
                    if (!caughtUp) {
                        caughtUp = reachedStartEnd();
                    }
                    replayHandler.accept(records, new Replay(endAtStart, caughtUp));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            if (running) {
                failure = e;
                LOG.error("following {} stopped on thread {}: {}", topic, thread.getName(), e.toString(), e);
            }
        } finally {
            Metrics.unbind(meters);
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** What stopped the follower, or null while it runs (or after a plain close). */
    public Exception failure() {
        return failure;
    }

    /** For {@link #replay}: every partition read up to where it ended at the start (false for other followers). */
    public boolean caughtUp() {
        return caughtUp;
    }

    private boolean reachedStartEnd() {
        for (TopicPartition tp : consumer.assignment()) {
            Long end = endAtStart.get(tp.partition());
            if (end != null && consumer.position(tp) < end) {
                return false;
            }
        }
        return true;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

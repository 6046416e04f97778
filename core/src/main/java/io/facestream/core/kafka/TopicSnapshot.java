package io.facestream.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads what a topic holds now, once: every partition from its beginning (or from the first record at or after a
 * time) up to the end offsets it had when the read started, then stops. For commands that look at a topic
 * (erasure verify, status) rather than follow it; records written meanwhile are not waited for, so the read ends
 * even on a busy topic.
 */
public final class TopicSnapshot {
    private TopicSnapshot() {}

    /**
     * @param fromTimestampMs null for the beginning, else the first record with a timestamp at or after it
     * @param timeout         for the whole read: an {@link IllegalStateException} says so when it is used up
     * @return how many records were read
     */
    public static long read(
            KafkaConsumer<byte[], byte[]> consumer,
            String topic,
            Long fromTimestampMs,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Duration call = Duration.ofSeconds(30);
        List<TopicPartition> parts = consumer.partitionsFor(topic, call).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, call);
        if (fromTimestampMs == null) {
            consumer.seekToBeginning(parts);
        } else {
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, fromTimestampMs));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, call);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = found.get(tp);
                consumer.seek(tp, o == null ? end.get(tp) : o.offset());
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long records = 0;
        try {
            while (parts.stream().anyMatch(tp -> consumer.position(tp, call) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading " + topic + " took longer than " + timeout + "; run the command again");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        records++;
                        each.accept(r);
                    }
                }
            }
        } finally {
            consumer.unsubscribe();
        }
        return records;
    }
}

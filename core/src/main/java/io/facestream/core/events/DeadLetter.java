package io.facestream.core.events;

import io.facestream.core.topics.TopicCatalog;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds a record for {@code facestream.dlq}: the original key and bytes untouched, the original headers kept,
 * and {@code fs.dlq.*} headers saying why, where from and which stage refused it.
 */
public final class DeadLetter {
    public static final String REASON = "fs.dlq.reason";
    public static final String STAGE = "fs.dlq.stage";
    public static final String SOURCE_TOPIC = "fs.dlq.topic";
    public static final String SOURCE_PARTITION = "fs.dlq.partition";
    public static final String SOURCE_OFFSET = "fs.dlq.offset";

    private DeadLetter() {}

    /** A dead letter for a consumed record; a String key is kept as its UTF-8 bytes. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<?, byte[]> source, String stage, String reason) {
        byte[] key = switch (source.key()) {
            case null -> null;
            case byte[] b -> b;
            default -> source.key().toString().getBytes(StandardCharsets.UTF_8);
        };
        return of(
                source.topic(),
                source.partition(),
                source.offset(),
                source.timestamp(),
                key,
                source.value(),
                source.headers(),
                stage,
                reason);
    }

    /**
     * A dead letter for a record known by where it was read (e.g. from a Kafka Streams error handler's context): the
     * raw key and value, the original headers and timestamp kept.
     */
    public static ProducerRecord<byte[], byte[]> of(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            Iterable<Header> originalHeaders,
            String stage,
            String reason) {
        RecordHeaders headers = new RecordHeaders();
        if (originalHeaders != null) {
            for (Header h : originalHeaders) {
                headers.add(h);
            }
        }
        headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(STAGE, stage.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_PARTITION, FrameHeaders.encodeLong(partition));
        headers.add(SOURCE_OFFSET, FrameHeaders.encodeLong(offset));
        return new ProducerRecord<>(TopicCatalog.DLQ, null, timestamp < 0 ? null : timestamp, key, value, headers);
    }

    /** A dead letter for input that never was a Kafka record (e.g. an upload or a file). */
    public static ProducerRecord<byte[], byte[]> of(
            String sourceName, byte[] key, byte[] value, String stage, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(STAGE, stage.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_TOPIC, sourceName.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(TopicCatalog.DLQ, null, System.currentTimeMillis(), key, value, headers);
    }
}

package io.facestream.trainer.release;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads which version of a model is released now: the last {@link ModelRelease} for its name on the compacted
 * {@code facestream.models} topic (read from the beginning to the end offsets taken at the start, without a
 * consumer group). The trainer fine-tunes from, and gates against, this version, not the store's newest.
 */
public final class ReleasedModels {
    private ReleasedModels() {}

    /** With Kafka's default client settings (PLAINTEXT). */
    public static Optional<ModelRelease> current(String bootstrap, String modelName, Duration timeout) {
        return current(KafkaConnection.of(bootstrap), modelName, timeout);
    }

    public static Optional<ModelRelease> current(KafkaConnection kafka, String modelName, Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.MODELS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            var deserializer = ProtobufSerde.modelRelease().deserializer();
            ModelRelease last = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "timed out after " + timeout + " reading " + TopicCatalog.MODELS + " at " + kafka);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (modelName.equals(r.key())) {
                        // a tombstone withdraws the release
                        last = r.value() == null ? null : deserializer.deserialize(r.topic(), r.value());
                    }
                }
            }
            return Optional.ofNullable(last);
        }
    }
}

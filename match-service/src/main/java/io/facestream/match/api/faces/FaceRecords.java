package io.facestream.match.api.faces;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.match.api.ApiError;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one face observation back from {@code facestream.faces} by its reference {@code faces/<partition>/<offset>}
 * (a Match's best_face): the track crop the page shows comes from the topic, not from a second store.
 */
public final class FaceRecords implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;

    public FaceRecords(KafkaConnection kafka) {
        java.util.Properties p = KafkaClients.consumer(kafka, null);
        // one record is wanted, not the 16 MB of the partition after it that a streaming consumer fetches: a fetch
        // still returns the whole record batch holding the offset, however large
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256 * 1024);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 256 * 1024);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        this.consumer = new KafkaConsumer<>(p);
    }

    public synchronized Optional<FaceObservation> read(int partition, long offset) {
        TopicPartition tp = new TopicPartition(TopicCatalog.FACES, partition);
        if (consumer.partitionsFor(TopicCatalog.FACES).stream().noneMatch(p -> p.partition() == partition)) {
            throw ApiError.notFound("facestream.faces has no partition " + partition);
        }
        consumer.assign(List.of(tp));
        // past the end (a reference from another topic's life, or made up): no record will come, so no 3 s wait for it
        Long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(3)).get(tp);
        if (end != null && offset >= end) {
            return Optional.empty();
        }
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() == offset) {
                    FaceObservation o;
                    try {
                        o = FaceObservation.parseFrom(r.value());
                    } catch (Exception e) {
                        throw ApiError.unprocessable(
                                "face record " + partition + "/" + offset + " is not a FaceObservation");
                    }
                    return o.hasProgress() ? Optional.empty() : Optional.of(o); // a progress record has no face
                }
                if (r.offset() > offset) {
                    return Optional.empty(); // deleted by retention, or never a face record
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}

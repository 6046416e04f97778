package io.facestream.match.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.Feedback;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.SegmentRoll;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Erasure of operator feedback: {@code facestream.feedback} is compacted by match id, and a feedback record carries
 * the subject id and the track's face crops. Deleting a subject (or a gallery) reads the topic from its beginning to
 * its end, finds every match id whose latest feedback names the subject (or the gallery), and publishes a tombstone
 * for each, so compaction drops the records; a segment roll marker follows ({@link SegmentRoll}). The trainer skips
 * tombstones, so withdrawn feedback is not trained on again.
 */
public final class FeedbackEraser {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaConnection kafka;
    private final Producer<String, byte[]> producer;
    private final SegmentRoll segmentRoll;

    public FeedbackEraser(KafkaConnection kafka, Producer<String, byte[]> producer, SegmentRoll segmentRoll) {
        this.kafka = kafka;
        this.producer = producer;
        this.segmentRoll = segmentRoll;
    }

    /**
     * Tombstones the feedback about {@code subjectId} in {@code gallery} (every subject of it when null).
     *
     * @return the match ids whose feedback was tombstoned
     */
    public List<String> erase(String gallery, String subjectId) {
        Map<String, Boolean> about = new HashMap<>(); // match id -> whether its latest feedback is about the subject
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FEEDBACK, READ_TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out after " + READ_TIMEOUT + " reading "
                            + TopicCatalog.FEEDBACK + " to erase the feedback about " + gallery + "/" + subjectId
                            + "; delete again to retry");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || SegmentRoll.KEY.equals(r.key())) {
                        continue;
                    }
                    about.put(r.key(), r.value() != null && isAbout(r.value(), gallery, subjectId));
                }
            }
        }
        List<String> ids = about.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        if (ids.isEmpty()) {
            return ids;
        }
        List<Future<?>> sent = new ArrayList<>();
        for (String id : ids) {
            sent.add(producer.send(new ProducerRecord<>(TopicCatalog.FEEDBACK, id, null)));
        }
        try {
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot tombstone the feedback about " + gallery + "/" + subjectId + " (" + e.getMessage()
                            + "); delete again to retry",
                    e);
        }
        segmentRoll.afterDeletes(TopicCatalog.FEEDBACK);
        return ids;
    }

    private static boolean isAbout(byte[] value, String gallery, String subjectId) {
        try {
            Feedback f = Feedback.parseFrom(value);
            return f.getGallery().equals(gallery)
                    && (subjectId == null || f.getSubjectId().equals(subjectId));
        } catch (InvalidProtocolBufferException e) {
            return false; // not feedback this service wrote: nothing of a subject to find in it
        }
    }
}

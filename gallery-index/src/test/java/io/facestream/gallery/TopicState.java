package io.facestream.gallery;

import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.replication.EntryCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What a gallery topic says, computed independently of the index: the last value per key, with a tombstone removing
 * its key and every key below it. Tests compare a replica against this.
 */
final class TopicState {
    final Map<String, GalleryChange> live = new TreeMap<>();
    long endOffset;

    static TopicState read(String bootstrap, String topic) {
        TopicState state = new TopicState();
        TopicPartition tp = new TopicPartition(topic, 0);
        var values = ProtobufSerde.galleryEntry().deserializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            state.endOffset = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < state.endOffset) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    GalleryEntry e = values.deserialize(topic, r.value());
                    if (e == null) {
                        state.live.keySet().removeIf(k -> k.equals(r.key()) || k.startsWith(r.key() + "/"));
                    } else {
                        state.live.put(r.key(), EntryCodec.decode(r.key(), e));
                    }
                }
            }
        }
        return state;
    }

    /**
     * The keys of the records from {@code from} to the end, as a reader with the given isolation level
     * ({@code read_committed} or {@code read_uncommitted}) sees them; tombstones included.
     */
    static List<String> keys(String bootstrap, String topic, long from, String isolation) {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> keys = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.with(
                KafkaClients.consumer(bootstrap, null),
                Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation)))) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            c.seek(tp, from);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    keys.add(r.key());
                }
            }
        }
        return keys;
    }

    Map<String, Medium> media() {
        Map<String, Medium> out = new TreeMap<>();
        live.forEach((k, v) -> {
            if (v instanceof GalleryChange.PutMedium m) {
                out.put(k, m.medium());
            }
        });
        return out;
    }
}

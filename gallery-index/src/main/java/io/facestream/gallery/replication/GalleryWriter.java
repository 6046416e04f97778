package io.facestream.gallery.replication;

import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.gallery.model.GalleryChange;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes gallery changes to the compacted topic. The topic is the source of truth: nothing writes the index
 * directly, every replica (this process's included) applies what it reads back, so all replicas converge.
 */
public final class GalleryWriter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final org.apache.kafka.common.serialization.Serializer<io.facestream.core.events.GalleryEntry> values =
            ProtobufSerde.galleryEntry().serializer();

    /** A writer with Kafka's default client settings (PLAINTEXT). */
    public GalleryWriter(String bootstrap, String topic, String clientId) {
        this(KafkaConnection.of(bootstrap), topic, clientId);
    }

    public GalleryWriter(KafkaConnection kafka, String topic, String clientId) {
        this.producer = new KafkaProducer<>(KafkaClients.producer(kafka, clientId));
        this.topic = topic;
    }

    /** Publishes one change and returns its offset once the broker has it (acks=all). */
    public long publish(GalleryChange change) {
        EntryCodec.Record r = EntryCodec.encode(change);
        try {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic, r.key(), values.serialize(topic, r.value()))).get();
            return md.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + r.key() + " to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish " + r.key() + " to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}

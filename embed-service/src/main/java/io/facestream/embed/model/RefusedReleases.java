package io.facestream.embed.model;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.DeadLetterMeter;
import io.facestream.core.topics.TopicCatalog;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a refused model release goes: one clear log line, and the release record, untouched, on
 * {@code facestream.dlq} with the {@code fs.dlq.*} headers ({@code fs.dlq.reason} = {@code <code>: <why>}, see
 * {@link ReleaseValidator.RefusedRelease}). The service goes on with the model it serves. The producer is made on
 * the first refusal, so a service that never refuses one holds no extra connection.
 */
public final class RefusedReleases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusedReleases.class);

    private final KafkaConnection kafka;
    private final String stage;
    private final String clientId;
    private final AtomicInteger refused = new AtomicInteger();
    private KafkaProducer<byte[], byte[]> producer;
    private boolean closed;

    /**
     * @param stage the {@code fs.dlq.stage} of the dead letters, e.g. {@code embed.model-release}
     */
    public RefusedReleases(KafkaConnection kafka, String stage, String clientId) {
        this.kafka = kafka;
        this.stage = stage;
        this.clientId = clientId;
    }

    /** Logs the refusal and dead-letters the record; a failing DLQ write is logged, never thrown. */
    public void refuse(
            ConsumerRecord<String, byte[]> record, String currentModel, ReleaseValidator.RefusedRelease why) {
        refused.incrementAndGet();
        LOG.error(
                "model release REFUSED ({}) at {}-{}@{}: {}; {} keeps serving, the record goes to {}",
                why.kind().code(),
                record.topic(),
                record.partition(),
                record.offset(),
                why.getMessage(),
                currentModel == null ? "the current model" : currentModel,
                TopicCatalog.DLQ);
        try {
            producer().send(DeadLetter.of(record, stage, why.reason())).get(30, TimeUnit.SECONDS);
            DeadLetterMeter.count(stage, why.kind().code());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn(
                    "the refused model release at {}-{}@{} could not be written to {}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    TopicCatalog.DLQ,
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    /** Releases refused since the start. */
    public int refused() {
        return refused.get();
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (producer == null) {
            producer = new KafkaProducer<>(KafkaClients.with(
                    KafkaClients.producer(kafka, clientId),
                    Map.of(
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                            ByteArraySerializer.class.getName(),
                            ProducerConfig.LINGER_MS_CONFIG,
                            0)));
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }
}

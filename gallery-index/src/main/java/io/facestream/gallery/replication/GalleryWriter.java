package io.facestream.gallery.replication;

import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.gallery.model.GalleryChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes gallery changes to the compacted topic. The topic is the source of truth: nothing writes the index
 * directly, every replica (this process's included) applies what it reads back, so all replicas converge.
 *
 * <p>Every call is one Kafka transaction: the changes of one {@link #publishAll} (a re-enrolment's subject, media and
 * tombstones; a delete's cascade of tombstones) become visible to the replicas, which read committed records only,
 * all together or not at all. A failure in between (a record the broker refuses, a lost connection, a crash of this
 * process) aborts the lot, so no replica ever sees half a change. The transactional id is unique per writer; a
 * transaction left open by a crashed process is aborted by the broker after {@link #TRANSACTION_TIMEOUT_MS}, and
 * until then holds back what replicas can read.
 */
public final class GalleryWriter implements AutoCloseable {
    /** Gallery transactions are a few records: a short timeout bounds how long a dead writer can hold replicas back. */
    public static final int TRANSACTION_TIMEOUT_MS = 15_000;
    /** Every gallery writer's transactional id starts with this (a Kafka ACL grants the prefix). */
    public static final String TRANSACTIONAL_ID_PREFIX = "facestream-gallery-";

    private static final int COMMIT_ATTEMPTS = 3;
    private static final Logger log = LoggerFactory.getLogger(GalleryWriter.class);

    private final KafkaConnection kafka;
    private final String topic;
    private final String clientId;
    private final String transactionalId;
    private final Serializer<GalleryEntry> values = ProtobufSerde.galleryEntry().serializer();
    /** Created on the first publish (a read-only user never starts a transaction); replaced after a fatal error. */
    private KafkaProducer<String, byte[]> producer;
    /** The current producer's meters, unbound when it is dropped or closed. */
    private AutoCloseable producerMeters;

    private boolean closed;

    /** A writer with Kafka's default client settings (PLAINTEXT). */
    public GalleryWriter(String bootstrap, String topic, String clientId) {
        this(KafkaConnection.of(bootstrap), topic, clientId);
    }

    public GalleryWriter(KafkaConnection kafka, String topic, String clientId) {
        this.kafka = kafka;
        this.topic = topic;
        this.clientId = clientId;
        this.transactionalId = TRANSACTIONAL_ID_PREFIX + clientId + "-" + UUID.randomUUID();
    }

    /** Publishes one change and returns its offset once the broker has committed it (acks=all). */
    public long publish(GalleryChange change) {
        return publishAll(List.of(change)).getLast();
    }

    /**
     * Publishes changes in order as one transaction and returns their offsets once it is committed. On any failure
     * nothing of it becomes visible to read_committed readers, and an {@link IllegalStateException} says why.
     */
    public synchronized List<Long> publishAll(List<GalleryChange> changes) {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("no gallery changes to publish");
        }
        if (closed) {
            throw new IllegalStateException("the gallery writer for " + topic + " is closed");
        }
        List<EntryCodec.Record> records =
                changes.stream().map(EntryCodec::encode).toList();
        String what = records.size() == 1
                ? records.get(0).key()
                : records.size() + " changes (" + records.get(0).key() + " …)";
        for (int attempt = 1; ; attempt++) {
            KafkaProducer<String, byte[]> p = producer();
            try {
                p.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (EntryCodec.Record r : records) {
                    sent.add(p.send(new ProducerRecord<>(topic, r.key(), values.serialize(topic, r.value()))));
                }
                commit(p);
                List<Long> offsets = new ArrayList<>();
                for (Future<RecordMetadata> f : sent) {
                    offsets.add(f.get().offset());
                }
                return offsets;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort(p, e);
                throw new IllegalStateException("interrupted while publishing " + what + " to " + topic, e);
            } catch (ExecutionException | KafkaException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                boolean dropped = !abort(p, cause);
                if (dropped && attempt < 2) {
                    // the failed transaction cannot have committed (it never got to a commit that succeeded); the new
                    // producer's initTransactions, with the same transactional id, makes the broker abort it first.
                    // Publishing gallery changes twice would be harmless anyway: puts and tombstones are idempotent.
                    log.warn(
                            "publishing {} to {} failed with an error that ends a producer ({}); publishing again with a new one",
                            what,
                            topic,
                            reason(cause));
                    continue;
                }
                throw new IllegalStateException(
                        "cannot publish " + what + " to " + topic + " (nothing of it was published): " + reason(cause),
                        cause);
            }
        }
    }

    /**
     * A commit that times out may still complete on the broker; the producer's contract allows only the same call
     * again, never an abort. After a few attempts the outcome stays unknown: the producer is dropped, and the next
     * one, with the same transactional id, makes the broker finish (complete or abort) the open transaction first.
     */
    private void commit(KafkaProducer<String, byte[]> p) {
        for (int attempt = 1; ; attempt++) {
            try {
                p.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (attempt >= COMMIT_ATTEMPTS) {
                    drop(p);
                    throw new IllegalStateException(
                            "committing a gallery transaction to " + topic + " timed out " + attempt
                                    + " times; whether it was published is unknown (check before retrying)",
                            e);
                }
                log.warn(
                        "committing a gallery transaction to {} timed out ({}); committing again",
                        topic,
                        e.getMessage());
            }
        }
    }

    /** Aborts the open transaction; returns false when the producer had to be dropped instead (a fatal error). */
    private boolean abort(KafkaProducer<String, byte[]> p, Throwable cause) {
        if (producer != p) {
            return false; // already dropped
        }
        if (fatal(cause)) {
            drop(p);
            return false;
        }
        try {
            p.abortTransaction();
            return true;
        } catch (KafkaException abortFailed) {
            log.warn(
                    "aborting a gallery transaction to {} failed ({}); starting a new producer",
                    topic,
                    abortFailed.toString());
            drop(p);
            return false;
        }
    }

    private void drop(KafkaProducer<String, byte[]> p) {
        if (producer == p) {
            producer = null;
            Metrics.unbind(producerMeters);
            producerMeters = null;
        }
        try {
            p.close(java.time.Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("closing a failed gallery producer: {}", e.toString());
        }
    }

    /** The errors after which the producer's contract leaves only closing it. */
    private static boolean fatal(Throwable e) {
        return e instanceof ProducerFencedException
                || e instanceof OutOfOrderSequenceException
                || e instanceof AuthorizationException
                || e instanceof UnsupportedVersionException
                || e instanceof InvalidProducerEpochException
                || e instanceof org.apache.kafka.common.errors.InvalidTxnStateException;
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.with(
                    KafkaClients.producer(kafka, clientId),
                    Map.of(
                            ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS)));
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(java.time.Duration.ofSeconds(5));
                throw new IllegalStateException(
                        "cannot start a transactional producer for " + topic + ": " + reason(e), e);
            }
            producer = p;
            producerMeters = Metrics.bind(p);
        }
        return producer;
    }

    private static String reason(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + c.getMessage() + ")";
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (producer != null) {
            Metrics.unbind(producerMeters);
            producerMeters = null;
            producer.close();
            producer = null;
        }
    }
}

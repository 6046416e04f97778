package io.facestream.embed.service;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Frame;
import io.facestream.core.events.FrameReader;
import io.facestream.core.events.InvalidFrameException;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * frames → faces: a consumer group on {@code facestream.frames} that detects, aligns and embeds faces in
 * micro-batches across cameras and writes {@link FaceObservation}s to {@code facestream.faces}.
 *
 * <p>Delivery is exactly-once: each batch's observations, its dead letters and the consumed offsets are committed in
 * one Kafka transaction, so a killed instance resumes from the last committed batch and downstream
 * {@code read_committed} consumers see every observation exactly once. Scale-out is more instances in the group.
 */
public final class EmbedService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbedService.class);
    static final String STAGE = "embed";

    private final EmbedSettings settings;
    private final FrameFaces frames;
    private final ObservationFactory observations;
    private final ModelReleaseWatcher watcher;
    private final EmbedMetrics metrics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private ActiveModel model;
    private final Batch batch = new Batch();

    EmbedService(String bootstrap, EmbedSettings settings, FrameFaces frames, ActiveModel model, ModelReleaseWatcher watcher) {
        this.settings = settings;
        this.frames = frames;
        this.model = model;
        this.watcher = watcher;
        this.observations = new ObservationFactory(settings.cropJpegQuality());
        this.metrics = new EmbedMetrics(settings.instanceId());
        Properties cp = KafkaClients.with(KafkaClients.consumer(bootstrap, settings.groupId()), Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(8, settings.maxBatch()),
                ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-consumer"));
        this.consumer = new KafkaConsumer<>(cp);
        Properties pp = KafkaClients.with(KafkaClients.producer(bootstrap, settings.transactionalId()), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        this.producer = new KafkaProducer<>(pp);
        this.thread = new Thread(this::run, "facestream-embed");
    }

    /**
     * Opens the configured detector and embedder (pulling default models on first use), starts following model
     * releases, and starts consuming frames.
     */
    public static EmbedService start(FacestreamConfig config, String bootstrap) {
        EmbedSettings settings = EmbedSettings.from(config);
        FaceSettings face = FaceSettings.from(config);
        ModelStore store = ModelZoo.store(config);
        ModelRouter router = new ModelRouter(new OnnxSessions(face.device(), face.intraOpThreads()), face);
        FaceDetector detector = router.detector(ModelZoo.ensure(store, face.detector()));
        FrameFaces frames = new FrameFaces(new ImageDecoder(face.maxImagePixels()), detector, new FaceAligner(),
                settings.maxFrameBytes());
        ActiveModel model;
        try {
            model = ActiveModel.of(router.embedder(ModelZoo.ensure(store, face.embedder())), settings.qualityThreshold());
        } catch (RuntimeException e) {
            frames.close();
            throw e;
        }
        ModelReleaseWatcher watcher = new ModelReleaseWatcher(bootstrap, face.embedder(), model.ref().getVersion(), store,
                installed -> ActiveModel.of(router.embedder(installed), settings.qualityThreshold()));
        EmbedService service = new EmbedService(bootstrap, settings, frames, model, watcher);
        service.thread.start();
        return service;
    }

    public EmbedMetrics.Totals totals() {
        return metrics.snapshot();
    }

    /** The model whose version the next observations carry. */
    public String modelId() {
        return model.id();
    }

    /** The error that stopped the service, or null while it runs or after a clean stop. */
    public Throwable failure() {
        return failure;
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(TopicCatalog.FRAMES), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    flush(); // hand over only committed work: the next owner starts after our last batch
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.info("embed {} owns {}", settings.instanceId(), partitions);
                }
            });
            LOG.info("embed service {} running: model {}, detector {}, mode {}, batch {} / {} ms",
                    settings.instanceId(), model.id(), frames.detectorId(), settings.mode(), settings.maxBatch(),
                    settings.maxWait().toMillis());
            while (running) {
                Duration wait = batch.isEmpty() ? Duration.ofMillis(200) : settings.maxWait().minus(batch.age()).isNegative()
                        ? Duration.ZERO : settings.maxWait().minus(batch.age());
                for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
                    accept(r);
                    if (batch.faces() >= settings.maxBatch()) {
                        flush();
                    }
                }
                if (!batch.isEmpty() && batch.age().compareTo(settings.maxWait()) >= 0) {
                    flush();
                }
                updateLag();
                swapModelIfReleased();
            }
            flush();
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
            flushQuietly();
        } catch (ProducerFencedException e) {
            failure = e;
            LOG.error("embed {} was fenced by a newer instance with the same transactional id; stopping", settings.instanceId());
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("embed service stopped: {}", e.toString(), e);
        } finally {
            batch.discard();
            closeQuietly(consumer);
            closeQuietly(producer);
            stopped.countDown();
        }
    }

    /** One frame record: read, check age, extract faces; anything wrong with it becomes a dead letter. */
    private void accept(ConsumerRecord<String, byte[]> r) {
        batch.offset(r);
        Frame frame;
        try {
            frame = FrameReader.read(r);
        } catch (InvalidFrameException e) {
            deadLetter(r, r.key() == null ? "?" : r.key(), e.getMessage());
            return;
        }
        String camera = frame.camera().toString();
        metrics.frame(camera);
        if (settings.mode() == DeliveryMode.LIVE
                && System.currentTimeMillis() - frame.captureMillis() > settings.maxLag().toMillis()) {
            metrics.skippedLate(camera);
            return;
        }
        try {
            batch.add(r, frame, frames.extract(frame));
        } catch (FrameFaces.RejectedFrame e) {
            deadLetter(r, camera, e.getMessage());
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, String camera, String reason) {
        metrics.deadLetter(camera);
        LOG.warn("frame to DLQ: {}", reason);
        batch.deadLetters.add(DeadLetter.of(r, STAGE, reason));
    }

    /** Embeds the pending faces in one pass and commits observations, dead letters and offsets together. */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<FaceCrop> crops = batch.crops();
        long t0 = System.nanoTime();
        List<Embedding> embeddings = crops.isEmpty() ? List.of() : model.embedder().embed(crops.stream().map(FaceCrop::aligned).toList());
        if (!crops.isEmpty()) {
            metrics.batch(crops.size(), settings.maxBatch(), Duration.ofNanos(System.nanoTime() - t0));
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        int e = 0;
        for (Batch.Job job : batch.jobs) {
            String camera = job.frame().camera().toString();
            for (int i = 0; i < job.extracted().faces().size(); i++, e++) {
                Embedding emb = embeddings.get(e);
                boolean accepted = model.quality().accepts(emb.norm());
                if (!accepted) {
                    metrics.rejected(camera);
                    if (!settings.keepRejected()) {
                        continue;
                    }
                }
                metrics.face(camera);
                FaceObservation obs = observations.build(job.frame(), job.partition(), job.offset(), job.extracted(), i,
                        emb, model, !accepted);
                out.add(new ProducerRecord<>(TopicCatalog.FACES, null, job.frame().captureMillis(),
                        camera.getBytes(StandardCharsets.UTF_8), obs.toByteArray()));
            }
        }
        out.addAll(batch.deadLetters);
        Map<TopicPartition, OffsetAndMetadata> offsets = batch.nextOffsets();
        try {
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> r : out) {
                producer.send(r);
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException fatal) {
            throw fatal;
        } catch (KafkaException retriable) {
            // Abort and rewind: the same frames are read again and produce the same observations.
            LOG.warn("embed batch transaction failed ({}); retrying from the last committed offsets", retriable.toString());
            producer.abortTransaction();
            rewind(offsets.keySet());
        } finally {
            batch.discard();
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("could not flush the last batch ({}); it will be processed again after restart", e.toString());
        }
    }

    private void rewind(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    private void swapModelIfReleased() {
        if (watcher == null) {
            return;
        }
        ActiveModel next = watcher.takeReady();
        if (next != null) {
            flush(); // the pending batch still belongs to the old model
            ActiveModel old = model;
            model = next;
            old.close();
            LOG.info("embed {} switched model {} -> {}", settings.instanceId(), old.id(), next.id());
        }
    }

    private void updateLag() {
        consumer.metrics().forEach((name, metric) -> {
            if (name.name().equals("records-lag-max") && name.tags().size() == 1 && metric.metricValue() instanceof Double d
                    && !d.isNaN()) {
                metrics.consumerLag(d.longValue());
            }
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watcher != null) {
            watcher.close();
        }
        model.close();
        frames.close();
        EmbedMetrics.Totals t = metrics.snapshot();
        LOG.info("embed service stopped: {} frames, {} faces, {} rejected, {} late, {} to DLQ", t.frames(), t.faces(),
                t.rejected(), t.skippedLate(), t.deadLetters());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down
        }
    }

    /** Frames read since the last commit, their faces, their dead letters and the offsets to commit with them. */
    private static final class Batch {
        record Job(Frame frame, int partition, long offset, FrameFaces.Extracted extracted) {}

        final List<Job> jobs = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        private final Map<TopicPartition, Long> next = new HashMap<>();
        private long startedNanos;
        private int faces;

        void offset(ConsumerRecord<?, ?> r) {
            if (next.isEmpty()) {
                startedNanos = System.nanoTime();
            }
            next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }

        void add(ConsumerRecord<?, ?> r, Frame frame, FrameFaces.Extracted extracted) {
            jobs.add(new Job(frame, r.partition(), r.offset(), extracted));
            faces += extracted.faces().size();
        }

        int faces() {
            return faces;
        }

        boolean isEmpty() {
            return next.isEmpty();
        }

        Duration age() {
            return next.isEmpty() ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startedNanos);
        }

        List<FaceCrop> crops() {
            List<FaceCrop> all = new ArrayList<>(faces);
            jobs.forEach(j -> all.addAll(j.extracted().faces()));
            return all;
        }

        Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            next.forEach((tp, o) -> m.put(tp, new OffsetAndMetadata(o)));
            return m;
        }

        void discard() {
            jobs.forEach(j -> j.extracted().faces().forEach(FaceCrop::close));
            jobs.clear();
            deadLetters.clear();
            next.clear();
            faces = 0;
        }
    }
}

package io.facestream.embed.service;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Frame;
import io.facestream.core.events.FrameReader;
import io.facestream.core.events.InvalidFrameException;
import io.facestream.core.health.Backoff;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.logging.LogContext;
import io.facestream.core.metrics.DeadLetterMeter;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.gating.GatedDetector;
import io.facestream.embed.detect.gating.GatingSettings;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.RefusedReleases;
import io.facestream.embed.model.ReleaseValidator;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
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
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 *
 * <p>A batch's transaction is committed on a second thread while the next batch is decoded and embedded: the
 * broker round trips of a commit (offsets to the transaction, then the commit markers; tens of ms) would otherwise
 * stall inference once per batch. At most one transaction is in flight, so transactions stay in consumption order,
 * and the service waits for it before a rebalance hands partitions over, before a model swap and before stopping.
 *
 * <p>Progress records ({@code embed.service.progress.*}, docs/contracts.md) go between the faces in the same
 * transactions: one for a frame without faces (at most one per {@code frame-interval} of the camera's capture time),
 * and, for a camera whose frames partition this instance has read to its end without a frame of the camera for
 * {@code silence-interval}, a silence report, repeated while the silence lasts. So a reader closes tracks on what
 * happened at the cameras, not on how fast this service went.
 *
 * <p>Catch-up ({@code embed.service.catch-up.*}): in live mode a frame older than {@code max-lag} is not embedded on
 * the live path; it is forwarded, in the same transaction as the live batch's offsets, to
 * {@code facestream.late-frames}. A second consumer (group {@code <group-id>-catch-up}) reads that topic on this same
 * thread, one batch of at most {@code batch-size} frames at a time and only when the live poll came back empty, so
 * live frames never queue behind more than one catch-up batch. Its faces carry {@code catch_up = true} and go out
 * with its offsets in their own transaction through the same producer and committer, so the pass is exactly-once too.
 */
public final class EmbedService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbedService.class);
    static final String STAGE = "embed";
    /** After a failed transaction: 100 ms, doubling to 5 s, so a broker that is away is not asked at full speed. */
    private static final Backoff TRANSACTION_RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    /** {@code fs.dlq.stage} of a model release this service refused. */
    public static final String RELEASE_STAGE = "embed.model-release";

    private final EmbedSettings settings;
    private final DetectWorkers frames;
    private final EmbedThreads embedding;
    private final ObservationFactory observations;
    private final ModelReleaseWatcher watcher;
    private final EmbedMetrics metrics;
    private final KafkaConsumer<String, byte[]> consumer;
    /** The catch-up pass's consumer of facestream.late-frames; null when the pass is off or the mode is complete. */
    private final KafkaConsumer<String, byte[]> catchUp;
    /** The last catch-up poll returned frames: poll the live consumer briefly, then come back for more. */
    private boolean catchingUp;

    private final KafkaProducer<byte[], byte[]> producer;
    /** The Kafka clients' own meters (lag, fetch and send rates), unbound when the clients close. */
    private final List<AutoCloseable> clientMeters = new ArrayList<>();

    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private ActiveModel model;
    private final Batch batch = new Batch();
    private final ExecutorService committer =
            Executors.newSingleThreadExecutor(r -> new Thread(r, "facestream-embed-commit"));
    private Future<?> inFlight;
    /** Set when a failed transaction rewound the partitions: the rest of the current poll lies past the rewind point. */
    private boolean rewound;

    private volatile int failedTransactions;
    private final Map<String, Long> clampWarned = new HashMap<>();
    /** Per camera: the newest capture time written to the faces topic (face or progress record). */
    private final Map<String, Long> lastWrittenUs = new HashMap<>();
    /** Per camera whose frames this instance reads: its last frame, for the silence reports. */
    private final Map<String, Heard> heard = new HashMap<>();

    private long nextSilenceCheckMs;
    private final AutoCloseable identity;

    private EmbedService(
            KafkaConnection kafka,
            EmbedSettings settings,
            DetectWorkers frames,
            EmbedThreads embedding,
            ActiveModel model,
            ModelReleaseWatcher watcher,
            AutoCloseable identity) {
        this.identity = identity;
        this.settings = settings;
        this.frames = frames;
        this.embedding = embedding;
        this.model = model;
        this.watcher = watcher;
        this.observations = new ObservationFactory(
                settings.cropJpegQuality(), settings.progress().enabled());
        this.metrics = new EmbedMetrics(settings.instanceId());
        Properties cp = KafkaClients.with(
                KafkaClients.consumer(kafka, settings.groupId()),
                Map.of(
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        Math.max(8, settings.maxBatch()),
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        settings.transactionalId() + "-consumer"));
        this.consumer = new KafkaConsumer<>(cp);
        if (settings.mode() == DeliveryMode.LIVE && settings.catchUp().enabled()) {
            Properties up = KafkaClients.with(
                    KafkaClients.consumer(kafka, settings.catchUpGroupId()),
                    Map.of(
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                            settings.catchUp().batchSize(),
                            ConsumerConfig.CLIENT_ID_CONFIG,
                            settings.transactionalId() + "-catch-up"));
            this.catchUp = new KafkaConsumer<>(up);
        } else {
            this.catchUp = null;
        }
        Properties pp = KafkaClients.with(
                KafkaClients.producer(kafka, settings.transactionalId()),
                Map.of(
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId(),
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        this.producer = new KafkaProducer<>(pp);
        clientMeters.add(Metrics.bind(consumer));
        if (catchUp != null) {
            clientMeters.add(Metrics.bind(catchUp));
        }
        clientMeters.add(Metrics.bind(producer));
        this.thread = new Thread(this::run, "facestream-embed");
    }

    /**
     * Opens the configured detector and embedder (pulling default models on first use), starts following model
     * releases, and starts consuming frames from {@code bootstrap}, with the config's Kafka client properties.
     */
    public static EmbedService start(FacestreamConfig config, String bootstrap) {
        KafkaConnection kafka = KafkaConnection.fromConfig(config, bootstrap);
        EmbedSettings configured = EmbedSettings.from(config);
        InstanceIdentity identity =
                configured.instanceId().isEmpty() ? InstanceIdentity.claim(configured.stateDir()) : null;
        EmbedSettings settings = identity == null ? configured : configured.withInstanceId(identity.id());
        try {
            return start(config, kafka, settings, identity);
        } catch (RuntimeException | Error e) {
            if (identity != null) {
                identity.close();
            }
            throw e;
        }
    }

    private static EmbedService start(
            FacestreamConfig config, KafkaConnection kafka, EmbedSettings settings, InstanceIdentity identity) {
        FaceSettings face = FaceSettings.from(config);
        ModelStore store = ModelZoo.store(config);
        ModelRouter router = new ModelRouter(new OnnxSessions(face.device(), face.intraOpThreads()), face);
        GatingSettings gating = GatingSettings.from(config);
        ModelStore.InstalledModel detectorModel = ModelZoo.resolve(store, face.detector());
        // one detector (own ONNX sessions, buffers and per-camera gate) per worker: none of them is thread-safe
        DetectWorkers frames = new DetectWorkers(
                DetectWorkers.resolve(settings.detectThreads()),
                i -> new FrameFaces(
                        new ImageDecoder(face.maxImagePixels()),
                        GatedDetector.of(router.detector(detectorModel), gating),
                        new FaceAligner(),
                        settings.maxFrameBytes(),
                        settings.maxGivenFaces()),
                settings.slowdown());
        ActiveModel model;
        try {
            model = ActiveModel.of(
                    router.embedder(ModelZoo.resolve(store, face.embedder())), settings.qualityThreshold());
        } catch (RuntimeException e) {
            frames.close();
            throw e;
        }
        ModelReleaseWatcher watcher;
        try {
            watcher = new ModelReleaseWatcher(
                    kafka,
                    ModelZoo.nameOf(face.embedder()),
                    model.ref().getVersion(),
                    store,
                    installed -> ActiveModel.of(router.embedder(installed), settings.qualityThreshold()),
                    ReleaseValidator.fromConfig(config),
                    new RefusedReleases(kafka, RELEASE_STAGE, settings.transactionalId() + "-model-refusals"));
        } catch (RuntimeException e) {
            model.close();
            frames.close();
            throw e;
        }
        EmbedService service = new EmbedService(
                kafka,
                settings,
                frames,
                new EmbedThreads(EmbedThreads.resolve(settings.embedThreads(), face.device())),
                model,
                watcher,
                identity);
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

    /** FAILED once the service thread has stopped on an error; DOWN while transactions keep failing; else UP. */
    public io.facestream.core.health.Health health() {
        Throwable f = failure;
        if (f != null) {
            return io.facestream.core.health.Health.failed("stopped: " + f);
        }
        if (!thread.isAlive()) {
            return running
                    ? io.facestream.core.health.Health.failed("the embed thread has ended")
                    : io.facestream.core.health.Health.down("stopped");
        }
        int failed = failedTransactions;
        if (failed > 0) {
            return io.facestream.core.health.Health.down(
                    failed + " batch transaction(s) in a row failed; reading again");
        }
        return io.facestream.core.health.Health.up("instance " + settings.instanceId() + ", model " + model.id());
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
                    heard.values()
                            .removeIf(h -> partitions.contains(h.partition)); // the next owner reports their silence
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.info("embed {} owns {}", settings.instanceId(), partitions);
                }
            });
            if (catchUp != null) {
                catchUp.subscribe(List.of(TopicCatalog.LATE_FRAMES), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        flush(); // a catch-up batch is committed within its step; only the one in flight is left
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        LOG.info("embed {} catches up on {}", settings.instanceId(), partitions);
                    }
                });
            }
            LOG.info(
                    "embed service {} running: model {} on {} thread(s), detector {} (gating {}) on {} thread(s), mode {},"
                            + " batch {} / {} ms",
                    settings.instanceId(),
                    model.id(),
                    embedding.size(),
                    frames.detectorId(),
                    frames.gating(),
                    frames.size(),
                    settings.mode(),
                    settings.maxBatch(),
                    settings.maxWait().toMillis());
            while (running) {
                // A pending batch is flushed as soon as a poll comes back empty: nothing more is queued, so waiting
                // for max-wait would only add latency; under load polls keep returning frames and batches fill.
                Duration wait =
                        !batch.isEmpty() ? Duration.ZERO : catchingUp ? Duration.ofMillis(5) : Duration.ofMillis(200);
                var polled = consumer.poll(wait);
                // A rewind inside poll (a rebalance callback's flush found the transaction in flight failed, e.g. when
                // the group forgot this member while the broker was away) came before these records were fetched: they
                // start at the rewound offsets and are the ones to read. Dropping them would skip those frames: the
                // consumer's position is already past them and the next batch commits it.
                rewound = false;
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(polled.count());
                polled.forEach(records::add);
                // the poll's frames are searched on the detect workers while this thread embeds and commits them,
                // taking them in the poll's order
                Map<ConsumerRecord<?, ?>, Future<FrameFaces.Extracted>> prepared = prepareLive(records);
                try {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        if (rewound) {
                            // a failed transaction rewound to the last committed offsets: the rest of this poll is
                            // read again from there; committing it now would skip the failed frames (and duplicate
                            // later ones)
                            break;
                        }
                        accept(r, prepared.remove(r));
                        // the batch's age is checked per record: a slow poll does not hold its first faces back
                        if (batch.faces() >= settings.maxBatch()
                                || (!batch.isEmpty() && batch.age().compareTo(settings.maxWait()) >= 0)) {
                            submit();
                        }
                    }
                } finally {
                    prepared.values().forEach(DetectWorkers::discard);
                }
                if (!batch.isEmpty() && (polled.isEmpty() || batch.age().compareTo(settings.maxWait()) >= 0)) {
                    submit();
                }
                if (catchUp != null) {
                    // spare capacity only: the live poll found nothing and no live batch is pending
                    catchingUp = polled.isEmpty() && batch.isEmpty() && !rewound && catchUpStep();
                }
                reportSilence();
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
            LOG.error(
                    "embed {} was fenced by a newer instance with the same transactional id; stopping",
                    settings.instanceId());
        } catch (FatalProducerError e) {
            failure = e.getCause();
            LOG.error(
                    "embed {} stopped: the producer cannot go on ({}); restart the process",
                    settings.instanceId(),
                    e.getCause().toString());
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("embed service stopped: {}", e.toString(), e);
        } finally {
            batch.discard();
            awaitQuietly();
            committer.shutdown();
            clientMeters.forEach(Metrics::unbind);
            closeQuietly(consumer);
            if (catchUp != null) {
                closeQuietly(catchUp);
            }
            closeQuietly(producer);
            stopped.countDown();
        }
    }

    /**
     * One frame record: read, check age, extract faces; anything wrong with it becomes a dead letter. Its trace is its
     * {@code traceparent}, or a new one when it came without a valid one (a third-party producer); what is logged
     * about it carries the camera and the trace id.
     */
    private void accept(ConsumerRecord<String, byte[]> r, Future<FrameFaces.Extracted> prepared) {
        TraceParent trace = TraceHeaders.read(r.headers(), STAGE).trace();
        try (LogContext ignored = LogContext.of(r.key(), null, null, trace.traceId())) {
            accept(r, trace, prepared);
        }
    }

    /**
     * The live frames of a poll that will be embedded, handed to the detect workers in the poll's order: the same
     * checks as {@link #accept} makes (readable, not too far ahead for dead-letter, not late), made here first.
     */
    private Map<ConsumerRecord<?, ?>, Future<FrameFaces.Extracted>> prepareLive(
            List<ConsumerRecord<String, byte[]>> records) {
        Map<ConsumerRecord<?, ?>, Future<FrameFaces.Extracted>> out = new java.util.IdentityHashMap<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : records) {
            Frame frame;
            try {
                frame = FrameReader.read(r);
            } catch (InvalidFrameException e) {
                continue; // dead-lettered by accept
            }
            long capture = frame.captureMillis();
            if (capture - now > settings.maxClockSkew().toMillis()) {
                if (settings.futureFrames() == EmbedSettings.FutureFrames.DEAD_LETTER) {
                    continue;
                }
                capture = now;
            }
            if (settings.mode() == DeliveryMode.LIVE
                    && now - capture > settings.maxLag().toMillis()) {
                continue;
            }
            out.put(r, frames.submit(frame, true));
        }
        return out;
    }

    /**
     * The faces of a frame: those its worker found ({@code prepared}), or, when the frame was not handed out (its
     * checks came out differently a moment earlier), found now on its camera's worker.
     */
    private FrameFaces.Extracted extract(Frame frame, Future<FrameFaces.Extracted> prepared, boolean inSequence) {
        return DetectWorkers.await(prepared != null ? prepared : frames.submit(frame, inSequence));
    }

    private void accept(ConsumerRecord<String, byte[]> r, TraceParent trace, Future<FrameFaces.Extracted> prepared) {
        try {
            if (acceptFrame(r, trace, prepared)) {
                prepared = null; // taken: its faces are the batch's now
            }
        } finally {
            if (prepared != null) {
                DetectWorkers.discard(prepared);
            }
        }
    }

    /** @return whether {@code prepared} was taken (false: the frame went no further than its checks) */
    private boolean acceptFrame(
            ConsumerRecord<String, byte[]> r, TraceParent trace, Future<FrameFaces.Extracted> prepared) {
        batch.offset(r);
        Frame frame;
        try {
            frame = FrameReader.read(r);
        } catch (InvalidFrameException e) {
            deadLetter(r, r.key() == null ? "?" : r.key(), "invalid-frame", e.getMessage());
            return false;
        }
        String camera = frame.camera().toString();
        metrics.frame(camera);
        long now = System.currentTimeMillis();
        long ahead = frame.captureMillis() - now;
        if (ahead > settings.maxClockSkew().toMillis()) {
            String skew = "capture time " + java.time.Instant.ofEpochMilli(frame.captureMillis()) + " is "
                    + Duration.ofMillis(ahead).withNanos(0)
                    + " ahead of this host's clock (embed.service.max-clock-skew "
                    + settings.maxClockSkew() + ")";
            if (settings.futureFrames() == EmbedSettings.FutureFrames.DEAD_LETTER) {
                deadLetter(r, camera, "clock-skew", "frame " + camera + "/" + frame.seq() + ": " + skew);
                return false;
            }
            metrics.clamped(camera);
            Long warned = clampWarned.get(camera);
            if (warned == null || now - warned > 60_000) {
                clampWarned.put(camera, now);
                LOG.warn("camera {}: {}; processed as captured now (embed.service.future-frames=clamp)", camera, skew);
            }
            frame = new Frame(frame.camera(), frame.seq(), now * 1000, frame.image(), frame.facesJson());
        }
        if (settings.progress().enabled()) {
            heard.computeIfAbsent(camera, c -> new Heard()).frame(r, frame, System.currentTimeMillis());
        }
        if (settings.mode() == DeliveryMode.LIVE
                && System.currentTimeMillis() - frame.captureMillis()
                        > settings.maxLag().toMillis()) {
            metrics.skippedLate(camera);
            if (catchUp != null) {
                batch.lateFrames.add(lateFrame(r, frame, trace));
            }
            return false;
        }
        try {
            batch.add(r, frame, trace, extract(frame, prepared, true));
        } catch (FrameFaces.RejectedFrame e) {
            deadLetter(r, camera, "rejected-frame", e.getMessage());
        }
        return true;
    }

    /**
     * The skipped frame as a record of facestream.late-frames: same key, bytes, headers and timestamp, with its
     * sequence and capture time spelled out (a frame without those headers took them from its frames record) and
     * where it came from, for the faces' provenance; its {@code traceparent} is the frame's trace (given to it here if it
     * came without one), so its faces join the same trace when the catch-up pass embeds them.
     */
    private static ProducerRecord<byte[], byte[]> lateFrame(
            ConsumerRecord<String, byte[]> r, Frame frame, TraceParent trace) {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        for (org.apache.kafka.common.header.Header h : r.headers()) {
            String k = h.key();
            if (!k.equals(io.facestream.core.events.FrameHeaders.SEQ)
                    && !k.equals(io.facestream.core.events.FrameHeaders.CAPTURE_TS)
                    && !k.equals(LATE_PARTITION)
                    && !k.equals(LATE_OFFSET)
                    && !k.equals(TraceParent.HEADER)) {
                headers.add(h);
            }
        }
        headers.add(
                io.facestream.core.events.FrameHeaders.SEQ,
                io.facestream.core.events.FrameHeaders.encodeLong(frame.seq()));
        headers.add(
                io.facestream.core.events.FrameHeaders.CAPTURE_TS,
                io.facestream.core.events.FrameHeaders.encodeLong(frame.captureMicros()));
        headers.add(LATE_PARTITION, io.facestream.core.events.FrameHeaders.encodeLong(r.partition()));
        headers.add(LATE_OFFSET, io.facestream.core.events.FrameHeaders.encodeLong(r.offset()));
        TraceHeaders.set(headers, trace);
        return new ProducerRecord<>(
                TopicCatalog.LATE_FRAMES,
                null,
                r.timestamp(),
                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                r.value(),
                headers);
    }

    /** Header of a late-frames record: partition of the frame in facestream.frames. */
    static final String LATE_PARTITION = "fs.late.frame-partition";
    /** Header of a late-frames record: offset of the frame in facestream.frames. */
    static final String LATE_OFFSET = "fs.late.frame-offset";

    /**
     * One step of the catch-up pass: at most {@code batch-size} late frames, embedded and handed to the committer as
     * one transaction with the catch-up group's offsets. Returns whether there were any (more may follow at once).
     */
    private boolean catchUpStep() {
        var records = catchUp.poll(Duration.ofMillis(catchingUp ? 0 : 10));
        if (records.isEmpty()) {
            return false;
        }
        batch.catchUp = true;
        long maxAgeMs = settings.catchUp().maxAge().toMillis();
        // searched whole on the detect workers (no camera's gate is touched), taken in the poll's order
        Map<ConsumerRecord<?, ?>, Future<FrameFaces.Extracted>> prepared = new java.util.IdentityHashMap<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                Frame frame = FrameReader.read(r);
                if (now - frame.captureMillis() <= maxAgeMs) {
                    prepared.put(r, frames.submit(frame, false));
                }
            } catch (InvalidFrameException e) {
                // dead-lettered below
            }
        }
        try {
            for (ConsumerRecord<String, byte[]> r : records) {
                if (rewound) {
                    break; // see run(): the rest lies past the rewind point
                }
                batch.offset(r);
                TraceParent trace = TraceHeaders.read(r.headers(), STAGE).trace();
                Future<FrameFaces.Extracted> mine = prepared.remove(r);
                try (LogContext ignored = LogContext.of(r.key(), null, null, trace.traceId())) {
                    if (catchUp(r, trace, maxAgeMs, mine)) {
                        mine = null;
                    }
                } finally {
                    if (mine != null) {
                        DetectWorkers.discard(mine);
                    }
                }
            }
        } finally {
            prepared.values().forEach(DetectWorkers::discard);
        }
        if (rewound) {
            batch.discard();
        } else {
            submit();
        }
        return true;
    }

    /** One late frame of the catch-up pass; returns whether {@code prepared} was taken. */
    private boolean catchUp(
            ConsumerRecord<String, byte[]> r, TraceParent trace, long maxAgeMs, Future<FrameFaces.Extracted> prepared) {
        Frame frame;
        try {
            frame = FrameReader.read(r);
        } catch (InvalidFrameException e) {
            deadLetter(r, r.key() == null ? "?" : r.key(), "invalid-frame", e.getMessage());
            return false;
        }
        String camera = frame.camera().toString();
        if (System.currentTimeMillis() - frame.captureMillis() > maxAgeMs) {
            metrics.catchUpExpired(camera);
            return false;
        }
        int partition = (int) io.facestream.core.events.FrameHeaders.readLong(r.headers(), LATE_PARTITION)
                .orElse(-1);
        long offset = io.facestream.core.events.FrameHeaders.readLong(r.headers(), LATE_OFFSET)
                .orElse(-1);
        try {
            batch.add(frame, partition, offset, trace, extract(frame, prepared, false));
            metrics.caughtUp(camera);
        } catch (FrameFaces.RejectedFrame e) {
            deadLetter(r, camera, "rejected-frame", e.getMessage());
        }
        return true;
    }

    /** @param code the reason as a fixed word, for {@code facestream_dlq_records_total}; {@code reason} is the text */
    private void deadLetter(ConsumerRecord<String, byte[]> r, String camera, String code, String reason) {
        metrics.deadLetter(camera);
        DeadLetterMeter.count(STAGE, code);
        LOG.warn("frame to DLQ: {}", reason);
        batch.deadLetters.add(DeadLetter.of(r, STAGE, reason));
    }

    /** Embeds and commits the pending batch and waits until it is committed: nothing of ours is left in flight. */
    private void flush() {
        submit();
        awaitCommitted();
    }

    /**
     * Embeds the pending faces in one pass and hands observations, dead letters and offsets to the committer, which
     * writes them in one transaction while this thread goes on with the next batch.
     */
    private void submit() {
        if (batch.isEmpty() && batch.silences.isEmpty()) {
            return;
        }
        boolean late = batch.catchUp;
        List<FaceCrop> crops = batch.crops();
        long t0 = System.nanoTime();
        List<Embedding> embeddings = crops.isEmpty()
                ? List.of()
                : embedding.embed(
                        model.embedder(), crops.stream().map(FaceCrop::aligned).toList());
        if (!crops.isEmpty()) {
            metrics.batch(crops.size(), settings.maxBatch(), Duration.ofNanos(System.nanoTime() - t0));
            slowDown(t0);
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        // capture times of the live faces, for the frame-to-face latency once their transaction is committed
        List<Long> captured = new ArrayList<>();
        int e = 0;
        for (Batch.Job job : batch.jobs) {
            String camera = job.frame().camera().toString();
            int written = out.size();
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
                FaceObservation obs = observations.build(
                        job.frame(), job.partition(), job.offset(), job.extracted(), i, emb, model, !accepted);
                if (late) {
                    obs = obs.toBuilder().setCatchUp(true).build();
                }
                // each face its own span in the frame's trace: the decision about its track continues from it
                out.add(new ProducerRecord<>(
                        TopicCatalog.FACES,
                        null,
                        job.frame().captureMillis(),
                        camera.getBytes(StandardCharsets.UTF_8),
                        obs.toByteArray(),
                        TraceHeaders.set(new RecordHeaders(), job.trace().child())));
                if (!late) {
                    captured.add(job.frame().captureMillis());
                }
            }
            if (LOG.isDebugEnabled()) {
                try (LogContext ignored =
                        LogContext.of(camera, null, null, job.trace().traceId())) {
                    LOG.debug(
                            "frame {}: {} face(s) written of {} found",
                            job.frame().seq(),
                            out.size() - written,
                            job.extracted().faces().size());
                }
            }
            if (settings.progress().enabled()
                    && !late) { // progress is the live path's clock; catch-up lies in the past
                long ts = job.frame().captureMicros();
                Long last = lastWrittenUs.get(camera);
                if (out.size() > written) {
                    lastWrittenUs.put(camera, last == null ? ts : Math.max(last, ts));
                } else if (last == null
                        || ts - last >= settings.progress().frameInterval().toNanos() / 1000) {
                    // nobody in this frame (or only rejected faces): the camera's clock moves on all the same
                    lastWrittenUs.put(camera, last == null ? ts : Math.max(last, ts));
                    out.add(progressRecord(
                            observations.progress(camera, job.frame().seq(), ts, job.partition(), job.offset(), 0)));
                    metrics.progressFrame(camera);
                }
            }
        }
        out.addAll(batch.silences);
        out.addAll(batch.lateFrames);
        out.addAll(batch.deadLetters);
        Map<TopicPartition, OffsetAndMetadata> offsets = batch.nextOffsets();
        // the consumers are this thread's alone
        ConsumerGroupMetadata group = late ? catchUp.groupMetadata() : consumer.groupMetadata();
        batch.discard();
        if (awaitCommitted()) {
            inFlight = committer.submit(() -> {
                commit(out, offsets, group);
                metrics.facesWritten(captured, System.currentTimeMillis());
            });
        }
    }

    /**
     * Runs on the committer thread: one batch, one transaction. A commit that times out may still complete on the
     * broker, so the producer's contract allows only the same call again (never an abort): it is retried until it
     * succeeds, fails for another reason, or the service stops.
     */
    private void commit(
            List<ProducerRecord<byte[], byte[]>> out,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        producer.beginTransaction();
        for (ProducerRecord<byte[], byte[]> r : out) {
            producer.send(r);
        }
        if (!offsets.isEmpty()) { // a batch of silence reports alone consumed nothing
            producer.sendOffsetsToTransaction(offsets, group);
        }
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (!running) {
                    throw new FatalProducerError(e); // unknown outcome; the next owner of the partitions finds out
                }
                LOG.warn(
                        "embed {}: committing a batch timed out ({}); committing again",
                        settings.instanceId(),
                        e.getMessage());
            }
        }
    }

    /**
     * The errors after which the producer's contract leaves only closing it: fenced, out of sequence, not
     * authorised, unsupported. The service stops with it as its failure; the process exits non-zero.
     */
    static boolean fatal(Throwable e) {
        return e instanceof ProducerFencedException
                || e instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException
                || e instanceof org.apache.kafka.common.errors.AuthorizationException
                || e instanceof org.apache.kafka.common.errors.UnsupportedVersionException
                || e instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
                || e instanceof FatalProducerError;
    }

    /** A producer error the service cannot recover from; its cause is the producer's exception. */
    static final class FatalProducerError extends KafkaException {
        FatalProducerError(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Waits for the transaction in flight. If it failed, it is aborted and every owned partition is rewound to its
     * last committed offset, so the frames of the failed batch and of any batch built after it are read again and
     * give the same observations; returns false then (the caller's batch was read past the rewind point).
     */
    private boolean awaitCommitted() {
        if (inFlight == null) {
            return true;
        }
        try {
            inFlight.get();
            failedTransactions = 0;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while committing an embed batch", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ProducerFencedException fenced) {
                throw fenced;
            }
            if (fatal(cause)) {
                throw cause instanceof FatalProducerError f ? f : new FatalProducerError(cause);
            }
            if (!(cause instanceof KafkaException retriable)) {
                throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
            }
            failedTransactions++;
            metrics.failedTransaction();
            LOG.warn(
                    "embed batch transaction failed ({}, {} in a row); aborting and reading again from the last committed offsets",
                    retriable.toString(),
                    failedTransactions);
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                throw new FatalProducerError(abortFailed);
            }
            batch.discard();
            rewind(consumer, consumer.assignment());
            if (catchUp != null) {
                rewind(catchUp, catchUp.assignment()); // the failed transaction may have been a catch-up batch
            }
            rewound = true;
            backOff();
            return false;
        } finally {
            inFlight = null;
        }
    }

    /** On the way out after a failure: let a transaction in flight end (commit or not) before the producer closes. */
    private void awaitQuietly() {
        if (inFlight != null) {
            try {
                inFlight.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warn(
                        "the last embed batch was not committed ({}); it will be processed again after restart",
                        e.getCause().toString());
            }
            inFlight = null;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("could not flush the last batch ({}); it will be processed again after restart", e.toString());
        }
    }

    /** 100 ms after the first failure, doubling to 5 s: a broker that is away is not asked again at full speed. */
    private void backOff() {
        try {
            Thread.sleep(TRANSACTION_RETRY.delay(failedTransactions).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rewind(KafkaConsumer<String, byte[]> consumer, Set<TopicPartition> partitions) {
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

    private static ProducerRecord<byte[], byte[]> progressRecord(FaceObservation o) {
        return new ProducerRecord<>(
                TopicCatalog.FACES,
                null,
                o.getCaptureTsUs() / 1000,
                o.getCameraId().getBytes(StandardCharsets.UTF_8),
                o.toByteArray());
    }

    /**
     * Silence reports: a camera is silent when this instance has read its frames partition to the end (a fresh
     * ListOffsets, not the consumer's last fetch) and no frame of the camera has come for a silence interval since its
     * last one was read. Measured on the frames, so a camera whose faces are late (this service behind) is never
     * silent. Reported at each multiple of the interval, up to silence-max, after the camera's faces in its partition.
     */
    private void reportSilence() {
        EmbedSettings.Progress p = settings.progress();
        long now = System.currentTimeMillis();
        if (!p.enabled() || heard.isEmpty() || rewound || now < nextSilenceCheckMs) {
            return;
        }
        nextSilenceCheckMs = now + Math.min(250, p.silenceInterval().toMillis() / 4);
        Set<TopicPartition> due = new java.util.HashSet<>();
        heard.values().forEach(h -> {
            if (now - h.readMs >= h.nextReportMs) {
                due.add(h.partition);
            }
        });
        due.retainAll(consumer.assignment());
        if (due.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> end;
        try {
            end = consumer.endOffsets(due, Duration.ofSeconds(2));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return; // asked again at the next check
        }
        long interval = p.silenceInterval().toMillis();
        for (var it = heard.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Heard h = entry.getValue();
            Long last = end.get(h.partition);
            long silent = now - h.readMs;
            if (!due.contains(h.partition)
                    || last == null
                    || silent < h.nextReportMs
                    || consumer.position(h.partition) < last) {
                continue;
            }
            batch.silences.add(progressRecord(observations.progress(
                    entry.getKey(), h.seq, h.captureMicros, h.partition.partition(), h.offset, silent)));
            metrics.silenceReported(entry.getKey());
            h.nextReportMs = (silent / interval + 1) * interval;
            if (silent >= p.silenceMax().toMillis()) {
                it.remove(); // reported for long enough; the camera's next frame starts over
            }
        }
        if (!batch.silences.isEmpty()) {
            submit();
        }
    }

    /** The testing knob {@code embed.service.slowdown}: sleep (slowdown − 1) times the work that began at {@code startedNanos}. */
    private void slowDown(long startedNanos) {
        if (settings.slowdown() <= 1) {
            return;
        }
        long nanos = (long) ((System.nanoTime() - startedNanos) * (settings.slowdown() - 1));
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last frame of a camera this instance read, and when; the next silence report is due at {@code nextReportMs}. */
    private final class Heard {
        TopicPartition partition;
        long readMs;
        long seq;
        long captureMicros;
        long offset;
        long nextReportMs;

        void frame(ConsumerRecord<?, ?> r, Frame frame, long nowMs) {
            partition = new TopicPartition(r.topic(), r.partition());
            readMs = nowMs;
            seq = frame.seq();
            captureMicros = frame.captureMicros();
            offset = r.offset();
            nextReportMs = settings.progress().silenceInterval().toMillis();
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
            if (name.name().equals("records-lag-max")
                    && name.tags().size() == 1
                    && metric.metricValue() instanceof Double d
                    && !d.isNaN()) {
                metrics.consumerLag(d.longValue());
            }
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (catchUp != null) {
            catchUp.wakeup();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watcher != null) {
            watcher.close();
        }
        embedding.close();
        model.close();
        frames.close();
        if (identity != null) {
            closeQuietly(identity);
        }
        EmbedMetrics.Totals t = metrics.snapshot();
        LOG.info(
                "embed service stopped: {} frames, {} faces, {} rejected, {} late ({} caught up, {} past catch-up max-age), {} to DLQ",
                t.frames(),
                t.faces(),
                t.rejected(),
                t.skippedLate(),
                t.caughtUp(),
                t.catchUpExpired(),
                t.deadLetters());
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
        /** @param trace the frame's span: each face of it is a child span */
        record Job(Frame frame, int partition, long offset, TraceParent trace, FrameFaces.Extracted extracted) {}

        final List<Job> jobs = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        /** Silence reports, written after the faces of the batch. */
        final List<ProducerRecord<byte[], byte[]>> silences = new ArrayList<>();
        /** Live frames skipped as late, forwarded to facestream.late-frames with the batch's offsets. */
        final List<ProducerRecord<byte[], byte[]>> lateFrames = new ArrayList<>();
        /** A catch-up batch: its offsets are the catch-up group's and its faces are marked catch_up. */
        boolean catchUp;

        private final Map<TopicPartition, Long> next = new HashMap<>();
        private long startedNanos;
        private int faces;

        void offset(ConsumerRecord<?, ?> r) {
            if (next.isEmpty()) {
                startedNanos = System.nanoTime();
            }
            next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }

        void add(ConsumerRecord<?, ?> r, Frame frame, TraceParent trace, FrameFaces.Extracted extracted) {
            add(frame, r.partition(), r.offset(), trace, extracted);
        }

        /** A frame whose provenance is {@code partition}/{@code offset} of facestream.frames. */
        void add(Frame frame, int partition, long offset, TraceParent trace, FrameFaces.Extracted extracted) {
            jobs.add(new Job(frame, partition, offset, trace, extracted));
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
            silences.clear();
            lateFrames.clear();
            catchUp = false;
            next.clear();
            faces = 0;
        }
    }
}

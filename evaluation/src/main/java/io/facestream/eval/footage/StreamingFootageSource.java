package io.facestream.eval.footage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.ConsumerGroupStart;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.service.EmbedService;
import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.protocol.Media;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Streaming mode: the footage goes through the production path. {@link FootageReplay} publishes every labelled frame
 * with its ground-truth faces ({@code fs.faces}, label = subject) to {@code facestream.frames}; an in-process
 * {@link EmbedService} in {@code complete} mode (every frame, no lag skipping) with its own consumer group decodes,
 * aligns and embeds them and commits {@link FaceObservation}s to {@code facestream.faces} in transactions; this
 * source reads those back ({@code read_committed}) and maps each to its protocol face by camera (= media), frame
 * sequence (= decoded frame index) and given label (= subject).
 *
 * <p>Quality-rejected faces are kept ({@code embed.service.keep-rejected=true}), because the protocol scores every
 * labelled face, as offline mode does. A face delivered twice (another embed service consuming the same broker) or a
 * frame sent to the dead-letter topic stops the run with the reason.
 */
public final class StreamingFootageSource implements FeatureSource {
    /** A run that makes no progress for this long has lost frames; say so instead of waiting forever. */
    static final Duration STALL = Duration.ofMinutes(2);

    private final Footage footage;
    private final String bootstrap;
    private final KafkaConnection kafka;
    private final FacestreamConfig config;
    private final int jpegQuality;
    private final int dim;
    private final String modelName;
    private Footage.Counts counts;

    /**
     * @param config      face.* and embed.service.* settings for the in-process embed service; group, instance id,
     *                    mode and keep-rejected are set per run; its Kafka client properties apply to every client
     * @param dim         the embedder's feature dimension (from its manifest)
     * @param jpegQuality quality of the replayed frames
     */
    public StreamingFootageSource(
            Footage footage, String bootstrap, FacestreamConfig config, int dim, int jpegQuality) {
        this.footage = footage;
        this.bootstrap = bootstrap;
        this.kafka = KafkaConnection.fromConfig(config, bootstrap);
        this.config = config;
        this.dim = dim;
        this.jpegQuality = jpegQuality;
        this.modelName = config.getString("face.embedder");
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public long faces() {
        return footage.truth().faces();
    }

    /** What the last {@link #forEach} replayed; null before. */
    public Footage.Counts counts() {
        return counts;
    }

    @Override
    public String describe() {
        String missing = counts != null && counts.missingFaces() > 0
                ? ", " + counts.missingFaces() + " labelled faces past the end of their video"
                : "";
        return "footage " + footage.data() + " streaming via " + kafka + " (" + modelName + ", " + dim + "-d" + missing
                + ")";
    }

    @Override
    public void forEach(Consumer<Face> sink) {
        String run = "ijbs-" + UUID.randomUUID().toString().substring(0, 8);
        ReplayCameras cameras = new ReplayCameras(run, footage.truth().media());
        FacestreamConfig serviceConfig = config.with(Map.of(
                "embed.service.group-id",
                run,
                "embed.service.instance-id",
                run,
                "embed.service.mode",
                "complete",
                "embed.service.keep-rejected",
                true,
                // faces are all this reads: no progress records (frames without faces, silence) between them
                "embed.service.progress.enabled",
                false));
        try (Admin admin = KafkaClients.admin(kafka)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroupStart.atEnd(admin, run, TopicCatalog.FRAMES);
        }
        try (KafkaConsumer<String, byte[]> results = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
                EmbedService service = EmbedService.start(serviceConfig, bootstrap)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(TopicCatalog.FACES, TopicCatalog.DLQ)) {
                results.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            results.assign(parts);
            results.seekToEnd(parts);
            parts.forEach(results::position); // fix the start before the first frame is sent

            AtomicLong sent = new AtomicLong();
            AtomicBoolean replayDone = new AtomicBoolean();
            AtomicReference<Throwable> replayError = new AtomicReference<>();
            Thread replay = new Thread(
                    () -> {
                        try {
                            counts = new FootageReplay(footage, cameras, jpegQuality).run(kafka, sent::set);
                        } catch (Throwable t) {
                            replayError.set(t);
                        } finally {
                            replayDone.set(true);
                        }
                    },
                    "ijbs-replay");
            replay.setDaemon(true);
            replay.start();
            collect(results, cameras, service, sink, sent, replayDone, replayError);
        }
    }

    private void collect(
            KafkaConsumer<String, byte[]> results,
            ReplayCameras cameras,
            EmbedService service,
            Consumer<Face> sink,
            AtomicLong sent,
            AtomicBoolean replayDone,
            AtomicReference<Throwable> replayError) {
        Set<FacePath> seen = new HashSet<>();
        long lastProgress = System.nanoTime();
        while (true) {
            if (replayError.get() != null) {
                Throwable t = replayError.get();
                throw t instanceof RuntimeException re ? re : new IllegalStateException("replay failed: " + t, t);
            }
            if (service.failure() != null) {
                throw new IllegalStateException(
                        "embed service stopped: " + service.failure().getMessage(), service.failure());
            }
            boolean done = replayDone.get();
            if (done && seen.size() >= sent.get()) {
                return;
            }
            boolean progress = false;
            for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(200))) {
                GroundTruth.MediaFaces media = r.key() == null ? null : cameras.media(r.key());
                if (media == null) {
                    continue; // another run's or another camera's record
                }
                if (r.topic().equals(TopicCatalog.DLQ)) {
                    Header reason = r.headers().lastHeader(DeadLetter.REASON);
                    throw new IllegalStateException("frame of " + media.file() + " went to the dead-letter topic: "
                            + (reason == null ? "(no reason)" : new String(reason.value(), StandardCharsets.UTF_8)));
                }
                Face face = face(r, media);
                if (!seen.add(face.path())) {
                    throw new IllegalStateException(
                            "face " + face.path() + " (" + media.file() + ") was delivered twice: is another "
                                    + "embed service consuming facestream.frames on " + bootstrap + "?");
                }
                sink.accept(face);
                progress = true;
            }
            if (progress) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw new IllegalStateException("no face observation for " + STALL.toSeconds() + " s: received "
                        + seen.size() + " of " + sent.get() + " faces sent" + (done ? "" : " (replay still running)"));
            }
        }
    }

    private static Face face(ConsumerRecord<String, byte[]> r, GroundTruth.MediaFaces media) {
        FaceObservation o;
        try {
            o = FaceObservation.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(
                    "unreadable face observation at " + r.topic() + "/" + r.partition() + "@" + r.offset(), e);
        }
        int subject;
        try {
            subject = Integer.parseInt(o.getGivenLabel());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("face observation of " + media.file() + " frame " + o.getFrameSeq()
                    + " has label '" + o.getGivenLabel() + "', not a subject id: was it detected instead of given?");
        }
        FacePath path = switch (media.media()) {
            case Media.Video v -> new FacePath.VideoFrame(subject, v.id(), Long.toString(o.getFrameSeq()));
            case Media.Still s -> new FacePath.Still(subject, s.id());
        };
        float[] raw = new float[o.getEmbeddingCount()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = o.getEmbedding(i);
        }
        return new Face(path, raw, Math.max(o.getBox().getWidth(), o.getBox().getHeight()));
    }
}

package io.facestream.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.CameraId;
import io.facestream.core.events.CameraSpec;
import io.facestream.core.events.CameraState;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.security.Redact;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code facestream.cameras} for an {@link IngestService} and writes every camera's status to
 * {@code facestream.camera-status}. The status goes through Kafka rather than an HTTP call because the API and the
 * ingest processes share nothing else: any API instance sees every ingest process's cameras.
 */
final class CameraFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CameraFollower.class);

    private final IngestService service;
    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService reporter;
    private final TopicFollower follower;
    /** Frames sent at the previous report, per camera, and when: the fps of a report is the rate between two. */
    private final Map<String, long[]> previous = new HashMap<>();
    /** Cameras reported so far: one that is no longer known gets a tombstone. */
    private final Set<String> reported = new HashSet<>();

    private CameraFollower(KafkaConnection kafka, IngestService service, Duration statusInterval) {
        this.service = service;
        this.producer = new KafkaProducer<>(KafkaClients.producer(kafka, "facestream-ingest-status"));
        this.reporter = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("ingest-camera-status").daemon().unstarted(r));
        try {
            this.follower = TopicFollower.start(
                    kafka,
                    TopicCatalog.CAMERAS,
                    TopicFollower.Start.BEGINNING,
                    "ingest-cameras",
                    Duration.ofMillis(500),
                    this::handle);
        } catch (RuntimeException e) {
            reporter.shutdownNow();
            producer.close(Duration.ofSeconds(2));
            throw e;
        }
        long ms = statusInterval.toMillis();
        reporter.scheduleAtFixedRate(this::reportQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    static CameraFollower start(KafkaConnection kafka, IngestService service, Duration statusInterval) {
        return new CameraFollower(kafka, service, statusInterval);
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        // only the latest record per camera counts: reading the topic from the beginning does not restart a camera
        // once for each of its older specs
        Map<String, Optional<CameraSpec>> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null) {
                LOG.warn("{} offset {}: record without a key skipped", TopicCatalog.CAMERAS, r.offset());
                continue;
            }
            try {
                CameraId.of(r.key());
            } catch (IllegalArgumentException e) {
                LOG.warn("{} offset {}: skipped: {}", TopicCatalog.CAMERAS, r.offset(), e.getMessage());
                continue;
            }
            if (r.value() == null) {
                latest.put(r.key(), Optional.empty());
                continue;
            }
            try {
                latest.remove(r.key());
                latest.put(r.key(), Optional.of(CameraSpec.parseFrom(r.value())));
            } catch (InvalidProtocolBufferException e) {
                LOG.warn(
                        "{} offset {}: camera {} skipped: not a CameraSpec ({})",
                        TopicCatalog.CAMERAS,
                        r.offset(),
                        r.key(),
                        e.getMessage());
            }
        }
        boolean changed = false;
        for (var e : latest.entrySet()) {
            changed |= service.apply(e.getKey(), e.getValue().orElse(null));
        }
        if (changed) {
            reportQuietly();
        }
    }

    private void reportQuietly() {
        try {
            report();
        } catch (RuntimeException e) {
            // the next tick tries again; the cameras keep running
            LOG.warn(
                    "camera status not written to {}: {}",
                    TopicCatalog.CAMERA_STATUS,
                    Redact.credentials(e.toString()));
        }
    }

    private synchronized void report() {
        long nowMicros = System.currentTimeMillis() * 1000;
        long nowNanos = System.nanoTime();
        Set<String> seen = new HashSet<>();
        for (IngestService.CameraReport c : service.reports()) {
            seen.add(c.id());
            long sent = c.status().counts().sent();
            long[] before = previous.put(c.id(), new long[] {sent, nowNanos});
            double fps = before == null || nowNanos <= before[1] || sent < before[0]
                    ? 0
                    : (sent - before[0]) * 1e9 / (nowNanos - before[1]);
            String state =
                    service.isPaused(c.id()) ? "PAUSED" : c.status().state().name();
            CameraState.Builder b = CameraState.newBuilder()
                    .setId(c.id())
                    .setState(state)
                    .setSource(c.source() == null ? "" : c.source())
                    .setFps(state.equals("RUNNING") ? fps : 0)
                    .setLastFrameTsUs(c.lastFrameMicros())
                    .setReconnects(c.status().counts().gaps())
                    .setFramesSent(sent)
                    .setReportedTsUs(nowMicros)
                    .setOrigin(c.origin());
            if (c.lastError() != null) {
                b.setLastError(Redact.credentials(c.lastError()));
            }
            producer.send(new ProducerRecord<>(
                    TopicCatalog.CAMERA_STATUS, c.id(), b.build().toByteArray()));
        }
        for (String gone : Set.copyOf(reported)) {
            if (!seen.contains(gone)) {
                producer.send(new ProducerRecord<>(TopicCatalog.CAMERA_STATUS, gone, null));
                previous.remove(gone);
                reported.remove(gone);
            }
        }
        reported.addAll(seen);
        producer.flush();
    }

    @Override
    public void close() {
        follower.close();
        reporter.shutdownNow();
        try {
            reporter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}

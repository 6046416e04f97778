package io.facestream.ops.bench;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Watches {@code facestream.faces} as a downstream {@code read_committed} consumer would and notes, per frame, when
 * its observations became visible: latency = receive time − the frame's {@code fs.capture-ts}. All faces of a frame
 * are committed in one transaction, so the frame's first observation marks the moment the whole frame is visible.
 */
final class ObservationLatency implements AutoCloseable {
    /** One frame seen downstream. */
    record Sample(long captureMillis, long latencyMillis) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final String cameraPrefix;
    private final Set<String> seen = new HashSet<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Exception failure;

    /** Starts reading at the current end of the topic, so only frames produced from now on count. */
    ObservationLatency(String bootstrap, String cameraPrefix) {
        this.cameraPrefix = cameraPrefix;
        this.consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null));
        List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FACES).stream()
                .map(p -> new TopicPartition(TopicCatalog.FACES, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // resolve the end now, before any benchmark frame exists
        this.thread = new Thread(this::run, "bench-latency-probe");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (r.key() == null || !r.key().startsWith(cameraPrefix)) {
                        continue;
                    }
                    FaceObservation o = FaceObservation.parseFrom(r.value());
                    synchronized (this) {
                        if (seen.add(o.getCameraId() + "/" + o.getFrameSeq())) {
                            long capture = o.getCaptureTsUs() / 1000;
                            samples.add(new Sample(capture, now - capture));
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Frames seen so far. */
    synchronized int frames() {
        check();
        return samples.size();
    }

    /** Latencies, in ms and ascending, of the frames captured in {@code [fromMillis, toMillis)}. */
    synchronized long[] latencies(long fromMillis, long toMillis) {
        check();
        return samples.stream().filter(s -> s.captureMillis() >= fromMillis && s.captureMillis() < toMillis)
                .mapToLong(Sample::latencyMillis).sorted().toArray();
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("reading facestream.faces failed: " + failure.getMessage(), failure);
        }
    }

    /** The q-quantile (nearest rank) of ascending values, or null when there are none. */
    static Long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

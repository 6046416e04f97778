package io.facestream.ops.bench;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.cli.CommandFailed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Watches {@code facestream.faces} as a downstream {@code read_committed} consumer would and notes, per frame, when
 * its observations became visible: latency = receive time − the frame's {@code fs.capture-ts}. All faces of a frame
 * are committed in one transaction, so the frame's first observation marks the moment the whole frame is visible.
 */
final class ObservationLatency implements AutoCloseable {
    /** One frame seen downstream. */
    record Sample(long captureMillis, long latencyMillis) {}

    private final TopicFollower follower;
    private final String cameraPrefix;
    private final Set<String> seen = new HashSet<>();
    /** When each frame's faces became visible (ms), by camera and capture time (µs): see {@link #visibleAt}. */
    private final java.util.Map<String, Long> visible = new java.util.HashMap<>();

    private final List<Sample> samples = new ArrayList<>();

    /** Starts reading at the current end of the topic, so only frames produced from now on count. */
    ObservationLatency(KafkaConnection kafka, String cameraPrefix) {
        this.cameraPrefix = cameraPrefix;
        this.follower = TopicFollower.start(
                kafka,
                TopicCatalog.FACES,
                TopicFollower.Start.END,
                "bench-latency-probe",
                Duration.ofMillis(100),
                this::accept);
    }

    private void accept(ConsumerRecords<String, byte[]> records) throws Exception {
        for (ConsumerRecord<String, byte[]> r : records) {
            long now = System.currentTimeMillis();
            if (r.key() == null || !r.key().startsWith(cameraPrefix)) {
                continue;
            }
            FaceObservation o = FaceObservation.parseFrom(r.value());
            if (o.hasProgress()) {
                continue; // the embed service's progress on the camera, not a face
            }
            synchronized (this) {
                if (seen.add(o.getCameraId() + "/" + o.getFrameSeq())) {
                    long capture = o.getCaptureTsUs() / 1000;
                    samples.add(new Sample(capture, now - capture));
                    visible.put(o.getCameraId() + "@" + o.getCaptureTsUs(), now);
                }
            }
        }
    }

    /** Frames seen so far. */
    synchronized int frames() {
        check();
        return samples.size();
    }

    /**
     * When the faces of the camera's frame captured at {@code captureUs} became visible downstream (epoch ms), or null
     * when none of its faces has been seen (yet).
     */
    synchronized Long visibleAt(String camera, long captureUs) {
        return visible.get(camera + "@" + captureUs);
    }

    /** Latencies, in ms and ascending, of the frames captured in {@code [fromMillis, toMillis)}. */
    synchronized long[] latencies(long fromMillis, long toMillis) {
        check();
        return samples.stream()
                .filter(s -> s.captureMillis() >= fromMillis && s.captureMillis() < toMillis)
                .mapToLong(Sample::latencyMillis)
                .sorted()
                .toArray();
    }

    private void check() {
        Exception failure = follower.failure();
        if (failure != null) {
            throw new CommandFailed("reading facestream.faces failed: " + failure.getMessage(), failure);
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
        follower.close();
    }
}

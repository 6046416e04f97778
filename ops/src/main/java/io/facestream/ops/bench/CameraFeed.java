package io.facestream.ops.bench;

import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.cli.CommandFailed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Several cameras replaying the benchmark clip into {@code facestream.frames}, one frame at a time, round robin.
 * Each camera starts at its own point of the loop, so the cameras do not show the same frame at the same moment.
 * The capture time of a frame is the moment it is produced: latency measured from it is what the streaming
 * pipeline adds, from the frame's hand-over to Kafka until its observations are visible downstream.
 */
final class CameraFeed implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final PipelineFootage clip;
    private final List<String> cameras;
    private final boolean givenFaces;
    private final long[] next;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private int turn;
    private long sent;

    /** @param givenFaces send each frame's ground truth as {@code fs.faces}, so the service skips detection */
    CameraFeed(KafkaConnection kafka, PipelineFootage clip, List<String> cameras, boolean givenFaces) {
        this.producer = new KafkaProducer<>(KafkaClients.producer(kafka, "bench-pipeline-feed"));
        this.clip = clip;
        this.cameras = List.copyOf(cameras);
        this.givenFaces = givenFaces;
        this.next = new long[cameras.size()];
        for (int c = 0; c < next.length; c++) {
            next[c] = (long) c * clip.frames().size() / cameras.size();
        }
    }

    /** Produces the next camera's next frame (asynchronously); a failed earlier send is thrown here. */
    void sendNext() {
        Exception failed = failure.get();
        if (failed != null) {
            throw new CommandFailed("producing benchmark frames failed: " + failed.getMessage(), failed);
        }
        int c = turn;
        turn = (turn + 1) % cameras.size();
        long seq = next[c]++;
        PipelineFootage.ClipFrame frame =
                clip.frames().get((int) (seq % clip.frames().size()));
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
        if (givenFaces) {
            h.add(FrameHeaders.FACES, frame.facesJson().getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(TopicCatalog.FRAMES, null, cameras.get(c), frame.jpeg(), h), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
        sent++;
    }

    long sent() {
        return sent;
    }

    @Override
    public void close() {
        producer.close();
    }
}

package io.facestream.ingest.publish;

import io.facestream.core.events.CameraId;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes frames to {@code facestream.frames}: key = camera id, value = JPEG, record timestamp = capture time (ms),
 * headers {@code fs.seq}, {@code fs.capture-ts} (µs, the precise capture time) and {@code traceparent} (W3C trace
 * context: each frame starts its own sampled trace, which its faces and the decisions about them continue). One
 * producer serves every camera of a process; it is thread-safe and batches across cameras.
 */
public final class FramePublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final AutoCloseable meters;

    private FramePublisher(Producer<String, byte[]> producer) {
        this.producer = producer;
        this.meters = Metrics.bind(producer);
    }

    public static FramePublisher connect(KafkaConnection kafka, String clientId) {
        return new FramePublisher(new KafkaProducer<>(KafkaClients.producer(kafka, clientId)));
    }

    /** Sends asynchronously; the callback learns the broker's answer. Blocks only while the producer's buffer is full. */
    public void publish(CameraId camera, long seq, long captureMicros, byte[] jpeg, Callback callback) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        headers.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(captureMicros));
        TraceHeaders.set(headers, TraceParent.root());
        producer.send(
                new ProducerRecord<>(
                        TopicCatalog.FRAMES, null, Math.floorDiv(captureMicros, 1000), camera.value(), jpeg, headers),
                callback);
    }

    /** Waits until every frame sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        Metrics.unbind(meters);
        producer.close();
    }
}

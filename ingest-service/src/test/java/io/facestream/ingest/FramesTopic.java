package io.facestream.ingest;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Frame;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.FrameReader;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Reads one camera's records back from the real frames topic and checks the record contract on each. */
final class FramesTopic {
    private FramesTopic() {}

    static void create(String bootstrap) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
    }

    /** The camera's records, in topic order; waits until {@code atLeast} arrived, then drains a short while longer. */
    static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String camera, int atLeast) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "test-" + UUID.randomUUID()))) {
            c.subscribe(List.of(TopicCatalog.FRAMES));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (camera.equals(r.key())) {
                        out.add(r);
                    }
                }
                if (out.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                }
            }
        }
        return out;
    }

    /** The B, G, R values of one pixel of a frame's JPEG. */
    static int[] bgrAt(Frame f, int x, int y) {
        try (BytePointer bytes = new BytePointer(f.image());
                Mat raw = new Mat(1, f.image().length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, bytes);
                Mat decoded = imdecode(raw, IMREAD_COLOR)) {
            org.bytedeco.javacpp.indexer.UByteIndexer px = decoded.createIndexer();
            return new int[] {px.get(y, x, 0), px.get(y, x, 1), px.get(y, x, 2)};
        }
    }

    /** Every record is a decodable JPEG of the given size with both headers, seq and capture time strictly rising. */
    static List<Frame> assertContract(List<ConsumerRecord<String, byte[]>> records, int width, int height) {
        List<Frame> frames = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            assertNotNull(r.headers().lastHeader(FrameHeaders.SEQ), "fs.seq present");
            assertNotNull(r.headers().lastHeader(FrameHeaders.CAPTURE_TS), "fs.capture-ts present");
            Frame f = FrameReader.read(r);
            assertEquals(f.captureMillis(), r.timestamp(), "record timestamp is the capture time");
            assertEquals((byte) 0xFF, f.image()[0], "JPEG magic");
            try (BytePointer bytes = new BytePointer(f.image());
                    Mat raw = new Mat(1, f.image().length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, bytes);
                    Mat decoded = imdecode(raw, IMREAD_COLOR)) {
                assertFalse(decoded.empty(), "JPEG decodes");
                assertEquals(width, decoded.cols(), "width");
                assertEquals(height, decoded.rows(), "height");
            }
            if (!frames.isEmpty()) {
                Frame prev = frames.getLast();
                assertTrue(f.seq() > prev.seq(), "seq rises: " + prev.seq() + " then " + f.seq());
                assertTrue(f.captureMicros() > prev.captureMicros(), "capture time rises");
            }
            frames.add(f);
        }
        return frames;
    }
}

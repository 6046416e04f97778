package io.facestream.eval.footage;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.detect.Point;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Publishes labelled footage to {@code facestream.frames} as a camera would, plus the ground truth: each image or
 * video frame that holds labelled faces becomes one JPEG frame record keyed by its media's camera id, with
 * {@code fs.seq} = decoded frame index (0 for a still), {@code fs.capture-ts} and {@code fs.faces} = the ground-truth
 * boxes and landmarks with {@code label} = subject id. Frames without labelled faces are not sent: with given faces
 * the embed service would find nothing in them.
 */
final class FootageReplay {
    private final Footage footage;
    private final ReplayCameras cameras;
    private final int jpegQuality;

    FootageReplay(Footage footage, ReplayCameras cameras, int jpegQuality) {
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, got " + jpegQuality);
        }
        this.footage = footage;
        this.cameras = cameras;
        this.jpegQuality = jpegQuality;
    }

    /** Sends every labelled frame and waits until the broker has them all; {@code sentFaces} sees the running total. */
    Footage.Counts run(KafkaConnection kafka, LongConsumer sentFaces) {
        long[] faces = new long[1];
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(KafkaClients.producer(kafka, cameras.run() + "-replay"))) {
            Footage.Counts counts = footage.forEachFrame((media, frame, bgr, labelled) -> {
                String camera = cameras.cameraOf(media);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg(bgr));
                r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(Math.max(0, frame)));
                r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
                r.headers().add(FrameHeaders.FACES, annotation(labelled).getBytes(StandardCharsets.UTF_8));
                producer.send(r, (meta, error) -> {
                    if (error != null) {
                        failed.compareAndSet(
                                null,
                                new IllegalStateException(
                                        "cannot publish frame " + camera + "/" + frame + ": " + error.getMessage(),
                                        error));
                    }
                });
                if (failed.get() != null) {
                    throw (IllegalStateException) failed.get();
                }
                faces[0] += labelled.size();
                sentFaces.accept(faces[0]);
            });
            producer.flush();
            if (failed.get() != null) {
                throw (IllegalStateException) failed.get();
            }
            return counts;
        }
    }

    /** The {@code fs.faces} header: [{"box": [x, y, w, h], "landmarks": [[x, y] × 5], "label": "<subject>"}]. */
    static String annotation(List<GroundTruthFace> faces) {
        List<Map<String, Object>> out = new ArrayList<>(faces.size());
        for (GroundTruthFace f : faces) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(
                    "box",
                    List.of(f.box().x(), f.box().y(), f.box().width(), f.box().height()));
            List<List<Float>> points = new ArrayList<>();
            for (Point p : f.landmarks()) {
                points.add(List.of(p.x(), p.y()));
            }
            m.put("landmarks", points);
            m.put("label", Integer.toString(f.subject()));
            out.add(m);
        }
        try {
            return Json.mapper().writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a faces annotation", e);
        }
    }

    private byte[] jpeg(Mat bgr) {
        try (BytePointer buf = new BytePointer();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality)) {
            if (!imencode(".jpg", bgr, buf, params)) {
                throw new IllegalStateException(
                        "JPEG encoding of a " + bgr.cols() + "x" + bgr.rows() + " frame failed");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}

package io.facestream.trainer.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Verdict;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Operator-confirmed tracks as training data: reads the compacted {@code facestream.feedback} topic from the
 * beginning to its current end and writes every confirmed track's aligned crops into an image folder
 * ({@code <out>/<gallery>.<subject>/<match id>-<n>.jpg}), which {@link ImageFolderDataset} then reads as one
 * class per confirmed subject. Rejections are not training data (they say who someone is not). A record that
 * cannot be parsed, a confirmation without a subject or crops, and a crop that does not decode are counted in
 * {@link BadRecords} and skipped; the rest of the topic is still used.
 */
public final class FeedbackCrops {

    /** @param crops images written, {@code tracks} confirmed tracks they came from, {@code subjects} distinct classes */
    public record Export(Path folder, long tracks, long crops, int subjects, BadRecords.Report bad) {}

    private FeedbackCrops() {}

    /** With Kafka's default client settings (PLAINTEXT). */
    public static Export export(String bootstrap, Path out, Duration timeout) {
        return export(KafkaConnection.of(bootstrap), out, timeout);
    }

    public static Export export(KafkaConnection kafka, Path out, Duration timeout) {
        BadRecords bad = new BadRecords();
        Map<String, Long> perSubject = new HashMap<>();
        long tracks = 0, crops = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FEEDBACK, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            Files.createDirectories(out);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "timed out after " + timeout + " reading " + TopicCatalog.FEEDBACK + " at " + kafka);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue; // a tombstone: the feedback was withdrawn
                    }
                    String where = TopicCatalog.FEEDBACK + "-" + r.partition() + "@" + r.offset();
                    Feedback f;
                    try {
                        f = Feedback.parseFrom(r.value());
                    } catch (InvalidProtocolBufferException e) {
                        bad.add("unparseable feedback", where + ": " + e.getMessage());
                        continue;
                    }
                    if (f.getVerdict() != Verdict.CONFIRM) {
                        continue;
                    }
                    if (f.getSubjectId().isBlank() || f.getGallery().isBlank()) {
                        bad.add("confirmation without subject", where + " (match " + f.getMatchId() + ")");
                        continue;
                    }
                    if (f.getAlignedCropsJpegCount() == 0) {
                        bad.add("confirmation without crops", where + " (match " + f.getMatchId() + ")");
                        continue;
                    }
                    String subject = safe(f.getGallery()) + "." + safe(f.getSubjectId());
                    Path dir = Files.createDirectories(out.resolve(subject));
                    int written = 0;
                    for (int i = 0; i < f.getAlignedCropsJpegCount(); i++) {
                        byte[] jpeg = f.getAlignedCropsJpeg(i).toByteArray();
                        if (!decodes(jpeg)) {
                            bad.add("undecodable crop", where + " crop " + i + " (match " + f.getMatchId() + ")");
                            continue;
                        }
                        Files.write(dir.resolve(safe(f.getMatchId()) + "-" + i + ".jpg"), jpeg);
                        written++;
                    }
                    if (written > 0) {
                        tracks++;
                        crops += written;
                        perSubject.merge(subject, (long) written, Long::sum);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write feedback crops into " + out, e);
        }
        return new Export(out, tracks, crops, perSubject.size(), bad.report());
    }

    private static boolean decodes(byte[] jpeg) {
        try (Mat raw = new Mat(new BytePointer(jpeg));
                Mat image = imdecode(raw, IMREAD_COLOR)) {
            return image != null && !image.empty();
        }
    }

    /** Ids become folder and file names: keep them portable and unable to escape the folder. */
    private static String safe(String id) {
        return id.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}

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
 * Operator feedback as training data: reads the compacted {@code facestream.feedback} topic from the beginning to its
 * current end and writes every confirmed track's aligned crops into an image folder
 * ({@code <out>/<gallery>.<subject>/<match id>-<n>.jpg}), which {@link ImageFolderDataset} then reads as one
 * class per confirmed subject.
 *
 * <p><b>Rejections are hard negatives.</b> A rejected track is a face the model put too close to the subject: its
 * crops become a class of their own, {@code <out>/<gallery>.<subject>.rejected.<match id>/} (one track is one
 * person), beside the subject's class. The margin head's softmax then pushes them away from the subject's class
 * centre at every step they are in, which is the pair the deployed model got wrong. A rejection is used only when
 * its subject is a class of this export (has confirmed crops): against no class of the subject it would be one more
 * identity, not a negative of anyone. The latest record per match id counts (a tombstone withdraws it), as
 * compaction will leave it. A record that cannot be parsed, a verdict without a subject or crops, and a crop that
 * does not decode are counted in {@link BadRecords} and skipped; the rest of the topic is still used.
 */
public final class FeedbackCrops {

    /** Suffix of a rejected track's class folder after its subject's: {@code <gallery>.<subject>.rejected.<match>}. */
    public static final String REJECTED = ".rejected.";

    /**
     * @param tracks            confirmed tracks written
     * @param crops             images written, confirmed and rejected
     * @param subjects          distinct confirmed subjects (classes)
     * @param rejectedTracks    rejected tracks written as hard-negative classes
     * @param rejectedUnmatched rejections left out because their subject has no confirmed crops
     */
    public record Export(
            Path folder,
            long tracks,
            long crops,
            int subjects,
            long rejectedTracks,
            long rejectedUnmatched,
            BadRecords.Report bad) {

        /** Without rejections (what an export before hard negatives reported). */
        public Export(Path folder, long tracks, long crops, int subjects, BadRecords.Report bad) {
            this(folder, tracks, crops, subjects, 0, 0, bad);
        }
    }

    private FeedbackCrops() {}

    /** With Kafka's default client settings (PLAINTEXT). */
    public static Export export(String bootstrap, Path out, Duration timeout) {
        return export(KafkaConnection.of(bootstrap), out, timeout);
    }

    public static Export export(KafkaConnection kafka, Path out, Duration timeout) {
        BadRecords bad = new BadRecords();
        Map<String, Long> perSubject = new HashMap<>();
        Map<String, Rejection> rejections = new java.util.LinkedHashMap<>(); // match id -> latest rejection
        long tracks = 0, crops = 0, rejectedTracks = 0, rejectedUnmatched = 0;
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
                        if (r.key() != null) {
                            rejections.remove(r.key());
                        }
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
                    if (r.key() != null) {
                        rejections.remove(r.key()); // a later verdict replaces an earlier one
                    }
                    if (f.getVerdict() == Verdict.REJECT) {
                        if (f.getSubjectId().isBlank() || f.getGallery().isBlank()) {
                            bad.add("rejection without subject", where + " (match " + f.getMatchId() + ")");
                        } else if (f.getAlignedCropsJpegCount() == 0) {
                            bad.add("rejection without crops", where + " (match " + f.getMatchId() + ")");
                        } else {
                            rejections.put(r.key() == null ? f.getMatchId() : r.key(), new Rejection(where, f));
                        }
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
            // hard negatives: each rejected track of a subject that is a class here, as a class of its own
            for (Rejection x : rejections.values()) {
                Feedback f = x.feedback();
                String subject = safe(f.getGallery()) + "." + safe(f.getSubjectId());
                if (!perSubject.containsKey(subject)) {
                    rejectedUnmatched++;
                    continue;
                }
                Path dir = out.resolve(subject + REJECTED + safe(f.getMatchId()));
                int written = 0;
                for (int i = 0; i < f.getAlignedCropsJpegCount(); i++) {
                    byte[] jpeg = f.getAlignedCropsJpeg(i).toByteArray();
                    if (!decodes(jpeg)) {
                        bad.add("undecodable crop", x.where() + " crop " + i + " (match " + f.getMatchId() + ")");
                        continue;
                    }
                    Files.write(Files.createDirectories(dir).resolve(safe(f.getMatchId()) + "-" + i + ".jpg"), jpeg);
                    written++;
                }
                if (written > 0) {
                    rejectedTracks++;
                    crops += written;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write feedback crops into " + out, e);
        }
        return new Export(out, tracks, crops, perSubject.size(), rejectedTracks, rejectedUnmatched, bad.report());
    }

    private record Rejection(String where, Feedback feedback) {}

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

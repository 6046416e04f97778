package io.facestream.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Verdict;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.trainer.cycle.Patterns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rejections as hard negatives: on the real feedback topic, a subject confirmed twice and rejected once. The
 * rejected track's crops become a class of their own beside the subject's, so training pushes them from the
 * subject's class centre; a rejection of a subject without confirmed crops, one withdrawn by a tombstone and one
 * replaced by a confirmation are not used as negatives.
 */
@KafkaBroker
class FeedbackCropsTest {

    @Test
    void rejectedTracksBecomeClassesBesideTheirSubject(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        String g = "hn" + UUID.randomUUID().toString().substring(0, 6);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int track = 0; track < 2; track++) {
            records.add(record(g + "-c" + track, Verdict.CONFIRM, g, "alice", 1, track * 3, 3));
        }
        records.add(record(g + "-r1", Verdict.REJECT, g, "alice", 7, 0, 2)); // someone else taken for alice
        records.add(record(g + "-r2", Verdict.REJECT, g, "nobody", 8, 0, 1)); // no confirmed crops of nobody
        records.add(record(g + "-r3", Verdict.REJECT, g, "alice", 9, 0, 1));
        records.add(new ProducerRecord<>(TopicCatalog.FEEDBACK, g + "-r3", null)); // withdrawn
        records.add(record(g + "-r4", Verdict.REJECT, g, "alice", 10, 0, 1));
        records.add(record(g + "-r4", Verdict.CONFIRM, g, "alice", 1, 9, 1)); // the operator changed their mind
        records.add(record(g + "-r5", Verdict.REJECT, g, "", 11, 0, 1)); // names no subject
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "hard-negatives"))) {
            for (var r : records) {
                producer.send(r).get();
            }
        }

        Path out = dir.resolve("feedback");
        FeedbackCrops.Export export = FeedbackCrops.export(bootstrap, out, Duration.ofSeconds(60));

        Path subject = out.resolve(g + ".alice");
        Path negative = out.resolve(g + ".alice" + FeedbackCrops.REJECTED + g + "-r1");
        assertEquals(
                7, count(subject), "alice's confirmed crops: two tracks of 3 and the confirmation that replaced r4");
        assertEquals(2, count(negative), "the rejected track's crops, a class of their own");
        try (Stream<Path> classes = Files.list(out)) {
            List<String> ours = classes.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(g))
                    .sorted()
                    .toList();
            assertEquals(List.of(g + ".alice", g + ".alice.rejected." + g + "-r1"), ours);
        }
        // the broker is shared by this JVM's tests, so the totals are at least ours
        assertTrue(export.rejectedTracks() >= 1, export.toString());
        assertTrue(export.rejectedUnmatched() >= 1, "nobody's rejection is left out: " + export);
        assertTrue(export.bad().byReason().getOrDefault("rejection without subject", 0L) >= 1, export.toString());

        // as training data: the rejected track is its own identity, next to (and apart from) alice's
        try (ImageFolderDataset ds = ImageFolderDataset.open(out)) {
            int alice = ds.identities().indexOf(g + ".alice");
            int rejected = ds.identities().indexOf(g + ".alice.rejected." + g + "-r1");
            assertTrue(alice >= 0 && rejected >= 0, ds.identities().toString());
            assertNotEquals(alice, rejected);
            assertFalse(ds.identities().stream().anyMatch(i -> i.contains(g + "-r3") || i.contains(g + "-r4")));
            long labelled = 0;
            for (int i = 0; i < ds.size(); i++) {
                if (ds.read(i).label() == rejected) {
                    labelled++;
                }
            }
            assertEquals(2, labelled);
        }
    }

    private static long count(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }

    private static ProducerRecord<String, byte[]> record(
            String matchId, Verdict verdict, String gallery, String subject, int person, int firstSample, int crops) {
        Feedback.Builder f = Feedback.newBuilder()
                .setMatchId(matchId)
                .setVerdict(verdict)
                .setGallery(gallery)
                .setSubjectId(subject);
        for (int c = 0; c < crops; c++) {
            f.addAlignedCropsJpeg(ByteString.copyFrom(Patterns.jpeg(person, firstSample + c)));
        }
        return new ProducerRecord<>(TopicCatalog.FEEDBACK, matchId, f.build().toByteArray());
    }
}

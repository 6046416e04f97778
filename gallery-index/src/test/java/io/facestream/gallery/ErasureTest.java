package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.SegmentRoll;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Subject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasure in the gallery: a delete's tombstones cover every record below the key (so compaction drops the media too),
 * the replica merges deleted documents out of its files, and the segment roll marker's reserved key is skipped.
 */
@KafkaBroker
class ErasureTest {
    @TempDir
    Path dir;

    @Test
    void removalListsEveryRecordBelowDeepestFirstAndDeletedDocumentsAreMergedAway(
            @KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        GallerySettings settings = Fixtures.settings(dir, topic);
        settings = settings.withReplica(settings.replica().withMergeDeletesAfter(Duration.ZERO));
        Random noise = new Random(3);
        try (Gallery g = Gallery.open(settings, bootstrap)) {
            // one transaction, applied in one batch: one segment holds every subject, so a delete only marks documents;
            // 15 subjects besides the deleted one keep the deleted share (3 of 49) below the 20 % at which Lucene's
            // merge policy would reclaim the segment by itself
            List<GalleryChange> all = new java.util.ArrayList<>();
            all.add(new GalleryChange.DefineGallery(
                    new io.facestream.gallery.model.GalleryDefinition("w", GalleryKind.SINGLE, Map.of())));
            List<String> ids = new java.util.ArrayList<>(List.of("gone", "kept"));
            for (int i = 0; i < 14; i++) {
                ids.add("other-" + i);
            }
            for (String s : ids) {
                all.add(new GalleryChange.PutSubject(new Subject("w", s, s, Map.of())));
                all.add(new GalleryChange.PutMedium(
                        medium("w", s, "m1", feature(s.hashCode(), noise, 0.2), jpeg(s.hashCode()))));
                all.add(new GalleryChange.PutMedium(
                        medium("w", s, "m2", feature(s.hashCode(), noise, 0.2), jpeg(s.hashCode() + 1))));
            }
            g.publishAll(all);
            Thread.sleep(600); // past a commit (every 200 ms here): the segment is on disk

            GalleryKey.OfSubject gone = new GalleryKey.OfSubject("w", "gone");
            List<GalleryChange> removal = g.removal(gone);
            assertEquals(
                    java.util.Set.of("w/gone/m1", "w/gone/m2"),
                    java.util.Set.copyOf(removal.subList(0, 2).stream()
                            .map(c -> c.key().text())
                            .toList()));
            assertEquals(3, removal.size());
            assertEquals("w/gone", removal.getLast().key().text(), "the key itself comes last");
            assertTrue(removal.stream().allMatch(c -> c instanceof GalleryChange.Remove));
            List<String> wholeGallery = g.removal(new GalleryKey.OfGallery("w")).stream()
                    .map(c -> c.key().text())
                    .toList();
            assertEquals(49, wholeGallery.size(), wholeGallery.toString());
            assertEquals("w", wholeGallery.getLast());
            assertTrue(
                    wholeGallery.indexOf("w/kept/m1") < wholeGallery.indexOf("w/kept"), "media before their subject");

            // a marker on the reserved key is no gallery change: not applied, not refused
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(KafkaClients.producer(bootstrap, "erasure-test"))) {
                p.send(new ProducerRecord<>(topic, SegmentRoll.KEY, null)).get();
            }

            double mergesBefore = io.facestream.core.metrics.Metrics.registry()
                    .counter("facestream.gallery.deletes.merged")
                    .count();
            g.delete(gone);
            assertTrue(g.subject(gone).isEmpty());
            assertTrue(g.subject(new GalleryKey.OfSubject("w", "kept")).isPresent());
            long rollDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (g.segmentRoll().untilMs(topic) < System.currentTimeMillis() && System.nanoTime() < rollDeadline) {
                Thread.sleep(20); // scheduled on the marker's own thread, after it read the topic's segment.ms
            }
            assertTrue(
                    g.segmentRoll().untilMs(topic) > System.currentTimeMillis(),
                    "roll markers are scheduled after deletes");

            // merge-deletes-after 0s: the replica merges the deleted documents away and commits
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int deleted = -1;
            int max = -1;
            while (System.nanoTime() < deadline) {
                try (FSDirectory d = FSDirectory.open(dir.resolve("lucene"));
                        DirectoryReader r = DirectoryReader.open(d)) {
                    deleted = r.numDeletedDocs();
                    max = r.maxDoc();
                    if (deleted == 0
                            && !contains(r, "gone")
                            && io.facestream.core.metrics.Metrics.registry()
                                            .counter("facestream.gallery.deletes.merged")
                                            .count()
                                    > mergesBefore) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            assertEquals(0, deleted, "deleted documents are merged out of the committed index");
            assertEquals(46, max, "the gallery and 15 subjects with two media each, nothing of 'gone': " + max);
            assertTrue(
                    io.facestream.core.metrics.Metrics.registry()
                                    .counter("facestream.gallery.deletes.merged")
                                    .count()
                            > mergesBefore,
                    "the replica merged the deletes away");
            assertEquals(
                    io.facestream.core.health.Health.Status.UP,
                    g.replicationHealth().status(),
                    "the marker did not upset the replica: " + g.replicationHealth());
        }
    }

    private static boolean contains(DirectoryReader r, String subject) throws java.io.IOException {
        for (var leaf : r.leaves()) {
            var terms = leaf.reader().terms("subject");
            if (terms != null && terms.iterator().seekExact(new org.apache.lucene.util.BytesRef(subject))) {
                return true;
            }
        }
        return false;
    }
}

package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.GalleryWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gallery changes that belong together (a re-enrolment) are one Kafka transaction: replicas see all or nothing. */
@KafkaBroker
class ReEnrolmentTransactionTest {
    @TempDir
    Path dir;

    final Random noise = new Random(5);

    /**
     * A re-enrolment whose second medium the broker refuses (too large for the topic) fails in between: its first
     * records reached the log, but in an aborted transaction, so read_committed readers — every replica — see none of
     * it, and the subject keeps its old media. Within the limits the same re-enrolment is committed as one
     * transaction: a read_committed reader sees all of it.
     */
    @Test
    void aReEnrolmentIsSeenWholeOrNotAtAll(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = "test.gallery." + UUID.randomUUID();
        Fixtures.newTopic(
                bootstrap,
                topic,
                Map.of("cleanup.policy", "compact", "max.message.bytes", Integer.toString(64 * 1024)));
        GalleryKey.OfSubject s1 = new GalleryKey.OfSubject("book", "s1");
        try (Gallery g = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
            g.createGallery("book", GalleryKind.BOOKING, Map.of());
            g.enrol(new Subject("book", "s1", "Old name", Map.of()));
            g.addMedium(medium("book", "s1", "m0", feature(1, noise, 0.3), jpeg(10)));
            g.addMedium(medium("book", "s1", "m1", feature(1, noise, 0.3), jpeg(11)));

            long before = TopicState.read(bootstrap, topic).endOffset;
            byte[] huge = new byte[200 * 1024];
            new Random(1).nextBytes(huge);
            List<GalleryChange> reenrol = List.of(
                    new GalleryChange.PutSubject(new Subject("book", "s1", "New name", Map.of())),
                    new GalleryChange.PutMedium(medium("book", "s1", "item-1", feature(1, noise, 0.3), jpeg(20))),
                    new GalleryChange.PutMedium(medium("book", "s1", "item-2", feature(1, noise, 0.3), huge)),
                    new GalleryChange.Remove(new GalleryKey.OfMedium("book", "s1", "m0")),
                    new GalleryChange.Remove(new GalleryKey.OfMedium("book", "s1", "m1")));
            try (GalleryWriter w = new GalleryWriter(bootstrap, topic, "reenrol")) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.publishAll(reenrol));
                assertTrue(e.getMessage().contains("nothing of it was published"), e.getMessage());
            }
            List<String> written = TopicState.keys(bootstrap, topic, before, "read_uncommitted");
            assertTrue(
                    written.contains("book/s1") && written.contains("book/s1/item-1"),
                    "the records before the failure reached the log: " + written);
            assertEquals(
                    List.of(),
                    TopicState.keys(bootstrap, topic, before, "read_committed"),
                    "but no committed reader sees them");

            long marker = g.enrol(
                    new Subject("book", "s2", "", Map.of())); // the replica has read past the aborted transaction
            assertTrue(marker > before);
            assertEquals("Old name", g.subject(s1).orElseThrow().displayName());
            assertEquals(List.of("m0", "m1"), mediaIds(g, s1), "the subject keeps its media");

            long from = TopicState.read(bootstrap, topic).endOffset;
            g.enrolWithMedia(
                    new Subject("book", "s1", "New name", Map.of()),
                    List.of(
                            medium("book", "s1", "item-1", feature(1, noise, 0.3), jpeg(20)),
                            medium("book", "s1", "item-2", feature(1, noise, 0.3), jpeg(21))));
            List<String> committed = TopicState.keys(bootstrap, topic, from, "read_committed");
            assertEquals(5, committed.size(), committed.toString());
            assertEquals(
                    List.of("book/s1", "book/s1/item-1", "book/s1/item-2"),
                    committed.subList(0, 3),
                    "subject and new media first");
            assertEquals(
                    Set.of("book/s1/m0", "book/s1/m1"),
                    Set.copyOf(committed.subList(3, 5)),
                    "then the old media's tombstones, in the same transaction");
            assertEquals("New name", g.subject(s1).orElseThrow().displayName());
            assertEquals(List.of("item-1", "item-2"), mediaIds(g, s1));
            IndexContents.assertEqualsTopic(TopicState.read(bootstrap, topic), g.index(), "book");
        }
    }

    private static List<String> mediaIds(Gallery g, GalleryKey.OfSubject s) {
        return g.media(s).stream().map(Medium::mediaId).sorted().toList();
    }
}

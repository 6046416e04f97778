package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.ADAFACE;
import static io.facestream.gallery.Fixtures.ADAFACE_2;
import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.reembed.ModelCoverage;
import io.facestream.gallery.reembed.PendingMedium;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchMode;
import io.facestream.gallery.search.SearchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Gallery API end to end: writes through a real broker, a real on-disk replica, restarts, deletes, re-embedding. */
@KafkaBroker
class GalleryReplicationTest {
    @TempDir
    Path dir;

    final Random noise = new Random(3);

    private static void fill(Gallery g, String gallery, GalleryKind kind, int subjects, int media, Random noise) {
        g.createGallery(gallery, kind, Map.of("source", "test"));
        for (int s = 0; s < subjects; s++) {
            g.enrol(new Subject(gallery, "s" + s, "Subject " + s, Map.of("team", s % 2 == 0 ? "red" : "blue")));
            for (int m = 0; m < media; m++) {
                g.addMedium(medium(gallery, "s" + s, "m" + m, feature(s, noise, 0.3), jpeg(s * 100 + m)));
            }
        }
    }

    @Test
    void survivesRestartAndANewInstanceCatchesUpFromTheLog(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        List<Hit> before;
        float[] probe = feature(3, noise, 0.3);
        try (Gallery g = Gallery.open(Fixtures.settings(dir.resolve("a"), topic), bootstrap)) {
            fill(g, "watch", GalleryKind.SURVEILLANCE, 10, 3, noise);
            before = g.search(SearchRequest.of("watch", ADAFACE, probe, 10)).hits();
            assertEquals("s3", before.get(0).subjectId());
        }
        TopicState topicState = TopicState.read(bootstrap, topic);
        assertEquals(
                Long.toString(topicState.endOffset),
                GalleryIndex.lastCommitData(dir.resolve("a")).get(GalleryIndex.NEXT_OFFSET),
                "a clean close commits everything");
        try (Gallery again = Gallery.open(Fixtures.settings(dir.resolve("a"), topic), bootstrap);
                Gallery fresh = Gallery.open(Fixtures.settings(dir.resolve("b"), topic), bootstrap)) {
            assertEquals(
                    before,
                    again.search(SearchRequest.of("watch", ADAFACE, probe, 10)).hits());
            assertEquals(
                    before,
                    fresh.search(SearchRequest.of("watch", ADAFACE, probe, 10)).hits());
            IndexContents.assertEqualsTopic(topicState, again.index(), "watch");
            IndexContents.assertEqualsTopic(topicState, fresh.index(), "watch");
            // a write through one instance reaches the other
            long offset = again.addMedium(medium("watch", "s3", "m9", probe, jpeg(9)));
            fresh.awaitApplied(offset);
            assertEquals(
                    new Hit(
                            "watch",
                            "s3",
                            "m9",
                            fresh.search(SearchRequest.of("watch", ADAFACE, probe, 1))
                                    .hits()
                                    .get(0)
                                    .score()),
                    fresh.search(SearchRequest.of("watch", ADAFACE, probe, 1))
                            .hits()
                            .get(0));
        }
    }

    @Test
    void deleteRemovesEveryTrace(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        try (Gallery g = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
            fill(g, "watch", GalleryKind.SURVEILLANCE, 4, 2, noise);
            fill(g, "book", GalleryKind.BOOKING, 4, 2, noise);
            GalleryIndex index = g.index();
            Path crops = index.crops().directory(new GalleryKey.OfSubject("watch", "s1"));
            assertTrue(Files.isDirectory(crops));
            float[] probe = feature(1, noise, 0.3);
            assertEquals(
                    "s1",
                    g.search(SearchRequest.of("watch", ADAFACE, probe, 1))
                            .hits()
                            .get(0)
                            .subjectId());

            g.delete(new GalleryKey.OfSubject("watch", "s1"));
            g.delete(new GalleryKey.OfSubject("book", "s1"));

            for (String gallery : List.of("watch", "book")) {
                List<Hit> hits = g.search(
                                SearchRequest.of(gallery, ADAFACE, probe, 100).withMode(SearchMode.EXACT))
                        .hits();
                assertTrue(hits.stream().noneMatch(h -> h.subjectId().equals("s1")), hits.toString());
                assertEquals(gallery.equals("watch") ? 6 : 3, hits.size());
                assertFalse(
                        Files.exists(index.crops().directory(new GalleryKey.OfSubject(gallery, "s1"))),
                        "crops of " + gallery + "/s1");
                assertTrue(g.subject(new GalleryKey.OfSubject(gallery, "s1")).isEmpty());
                assertTrue(
                        g.medium(new GalleryKey.OfMedium(gallery, "s1", "m0")).isEmpty());
                assertTrue(g.reembed().pending(gallery, ADAFACE_2).stream()
                        .noneMatch(p -> p.key().subject().equals("s1")));
            }
            // no live document anywhere still names the subject, in any stored field
            index.withSearcher(s -> {
                try {
                    assertEquals(0, s.count(new TermQuery(new Term("subject", "s1"))));
                    for (var leaf : s.getIndexReader().leaves()) {
                        StoredFields stored = leaf.reader().storedFields();
                        Bits live = leaf.reader().getLiveDocs();
                        for (int d = 0; d < leaf.reader().maxDoc(); d++) {
                            if (live == null || live.get(d)) {
                                Document doc = stored.document(d);
                                assertFalse("s1".equals(doc.get("subject")), "live document still names s1: " + doc);
                            }
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // the topic got a tombstone for every record below the subject too, so compaction forgets them
            TopicState topicState = TopicState.read(bootstrap, topic);
            assertTrue(topicState.live.keySet().stream().noneMatch(k -> k.startsWith("watch/s1")));
            IndexContents.assertEqualsTopic(topicState, index, "watch");
            IndexContents.assertEqualsTopic(topicState, index, "book");

            g.delete(new GalleryKey.OfGallery("book"));
            assertFalse(Files.exists(index.crops().directory(new GalleryKey.OfGallery("book"))));
            assertTrue(assertThrows(
                            GalleryInputException.class, () -> g.search(SearchRequest.of("book", ADAFACE, probe, 1)))
                    .getMessage()
                    .contains("gallery 'book' does not exist"));
        }
    }

    @Test
    void searchesRunWhileWritesArrive(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        try (Gallery g = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
            g.createGallery("watch", GalleryKind.SURVEILLANCE, Map.of());
            for (int s = 0; s < 20; s++) {
                g.enrol(new Subject("watch", "s" + s, "", Map.of()));
            }
            g.addMedium(medium("watch", "s0", "first", feature(0, noise, 0.3)));
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicInteger searches = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random r = new Random(seed);
                    int seen = 0;
                    while (writing.get()) {
                        try {
                            int n = g.search(SearchRequest.of("watch", ADAFACE, feature(r.nextInt(20), r, 0.3), 1000)
                                            .withMode(seed == 0 ? SearchMode.EXACT : SearchMode.HNSW))
                                    .hits()
                                    .size();
                            if (n < seen) {
                                errors.add(
                                        new AssertionError("a later search saw fewer templates: " + n + " < " + seen));
                            }
                            seen = n;
                            searches.incrementAndGet();
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (int i = 0; i < 120; i++) {
                g.addMedium(medium("watch", "s" + (i % 20), "t" + i, feature(i % 20, noise, 0.3)));
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join();
            }
            assertTrue(errors.isEmpty(), "search failures during writes: " + errors);
            assertTrue(searches.get() > 10, "searches ran during the writes: " + searches.get());
            assertEquals(
                    121,
                    g.search(SearchRequest.of("watch", ADAFACE, feature(1, noise, 0.3), 1000))
                            .hits()
                            .size());
        }
    }

    @Test
    void badInputIsRefusedWithTheReason(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        try (Gallery g = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
            fill(g, "watch", GalleryKind.SINGLE, 2, 1, noise);
            assertTrue(assertThrows(
                            GalleryInputException.class, () -> g.enrol(new Subject("nowhere", "x", "", Map.of())))
                    .getMessage()
                    .contains("gallery 'nowhere' does not exist"));
            assertTrue(assertThrows(
                            GalleryInputException.class,
                            () -> g.addMedium(medium("watch", "s0", "m0", feature(0, noise, 0.3))))
                    .getMessage()
                    .contains("medium watch/s0/m0 already exists"));
            assertTrue(assertThrows(
                            GalleryInputException.class,
                            () -> g.addMedium(medium("watch", "s0", "m1", new float[] {1, 2, 3})))
                    .getMessage()
                    .contains("have 64 dimensions in this gallery index, got 3"));
            assertTrue(assertThrows(
                            GalleryInputException.class,
                            () -> g.addMedium(medium("watch", "nobody", "m1", feature(0, noise, 0.3))))
                    .getMessage()
                    .contains("subject 'nobody' is not enrolled"));
            assertTrue(assertThrows(
                            GalleryInputException.class,
                            () -> medium("watch", "s0", "m1", new float[] {0, 0, Float.NaN}))
                    .getMessage()
                    .contains("non-finite value NaN at index 2"));
            assertTrue(assertThrows(GalleryInputException.class, () -> medium("watch", "s0", "m1", new float[64]))
                    .getMessage()
                    .contains("zero vector"));
            assertTrue(assertThrows(
                            GalleryInputException.class, () -> g.createGallery("watch", GalleryKind.BOOKING, Map.of()))
                    .getMessage()
                    .contains("kind cannot change"));
            assertTrue(assertThrows(
                            GalleryInputException.class, () -> g.delete(new GalleryKey.OfSubject("watch", "ghost")))
                    .getMessage()
                    .contains("does not exist"));

            // a record that bypassed the API (garbage bytes, a wrong dimension) is refused by the replica, which goes
            // on
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaClients.producer(bootstrap, "raw"))) {
                raw.send(new ProducerRecord<>(topic, "watch/s0/junk", new byte[] {1, 2, 3, 4, 5}))
                        .get();
            }
            try (var writer = new io.facestream.gallery.replication.GalleryWriter(bootstrap, topic, "raw2")) {
                writer.publish(new io.facestream.gallery.model.GalleryChange.PutMedium(
                        medium("watch", "s0", "small", new float[] {1, 2})));
            }
            long after = g.addMedium(medium("watch", "s1", "m7", feature(1, noise, 0.3)));
            assertTrue(after > 0);
            assertTrue(g.medium(new GalleryKey.OfMedium("watch", "s0", "junk")).isEmpty());
            assertTrue(g.medium(new GalleryKey.OfMedium("watch", "s0", "small")).isEmpty());
            assertTrue(g.medium(new GalleryKey.OfMedium("watch", "s1", "m7")).isPresent());
        }
    }

    @Test
    void reembeddingListsCropsAndReportsCompleteness(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        try (Gallery g = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
            fill(g, "book", GalleryKind.BOOKING, 3, 2, noise);
            assertEquals(
                    List.of(new ModelCoverage("book", ADAFACE, 6, 6)),
                    g.reembed().coverage("book"));
            assertTrue(g.reembed().coverage("book").get(0).complete());
            List<PendingMedium> pending = g.reembed().pending("book", ADAFACE_2);
            assertEquals(6, pending.size());
            for (PendingMedium p : pending) {
                assertEquals(1, p.crops().size());
                Medium stored = g.medium(p.key()).orElseThrow();
                assertTrue(java.util.Arrays.equals(
                        stored.crops().get(0), Files.readAllBytes(p.crops().get(0))));
            }
            // a background job embeds the crops with the new version, one medium at a time
            for (PendingMedium p : pending.subList(0, 4)) {
                g.addEmbedding(p.key(), new Embedding(ADAFACE_2, feature(p.key().hashCode(), noise, 0.3)));
            }
            ModelCoverage v2 = g.reembed().coverage("book").get(1);
            assertEquals(new ModelCoverage("book", ADAFACE_2, 4, 6), v2);
            assertFalse(v2.complete());
            for (PendingMedium p : g.reembed().pending("book", ADAFACE_2)) {
                g.addEmbedding(p.key(), new Embedding(ADAFACE_2, feature(p.key().hashCode(), noise, 0.3)));
            }
            assertTrue(g.reembed().coverage("book").stream().allMatch(ModelCoverage::complete));
            assertTrue(g.reembed().pending("book", ADAFACE_2).isEmpty());
            // the old version's vectors and the crops are untouched; both spaces are searchable
            assertEquals(
                    3,
                    g.search(SearchRequest.of("book", ADAFACE, feature(0, noise, 0.3), 10))
                            .hits()
                            .size());
            assertEquals(
                    3,
                    g.search(SearchRequest.of("book", ADAFACE_2, feature(1, noise, 0.3), 10))
                            .hits()
                            .size());
            assertEquals(1, g.medium(pending.get(0).key()).orElseThrow().crops().size());
        }
    }
}

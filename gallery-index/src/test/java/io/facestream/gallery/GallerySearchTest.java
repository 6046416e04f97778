package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.ADAFACE;
import static io.facestream.gallery.Fixtures.ADAFACE_2;
import static io.facestream.gallery.Fixtures.DIM;
import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.vector.TemplateFusion;
import io.facestream.core.vector.Vectors;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchMode;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchTuning;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Search semantics on a real on-disk Lucene index, fed directly (replication is covered by the Kafka tests). */
class GallerySearchTest {
    @TempDir
    Path dir;

    GalleryIndex index;
    GallerySearcher searcher;
    final Random noise = new Random(42);

    @BeforeEach
    void fill() {
        index = GalleryIndex.open(dir, new HnswSettings(16, 100, HnswSettings.Quantization.INT8), 64);
        searcher = new GallerySearcher(index, new SearchTuning(1000, 50));
        index.apply(
                new GalleryChange.DefineGallery(new GalleryDefinition("north", GalleryKind.SURVEILLANCE, Map.of())));
        index.apply(
                new GalleryChange.DefineGallery(new GalleryDefinition("south", GalleryKind.SURVEILLANCE, Map.of())));
        index.apply(new GalleryChange.DefineGallery(new GalleryDefinition("book", GalleryKind.BOOKING, Map.of())));
        for (int id = 0; id < 200; id++) {
            String gallery = id % 2 == 0 ? "north" : "south";
            String subject = "s" + id;
            index.apply(new GalleryChange.PutSubject(
                    new Subject(gallery, subject, "Subject " + id, Map.of("risk", id % 5 == 0 ? "high" : "low"))));
            for (int t = 0; t < 3; t++) {
                index.apply(
                        new GalleryChange.PutMedium(medium(gallery, subject, "track" + t, feature(id, noise, 0.3))));
            }
        }
        index.commit(0);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private float[] probeOf(int identity) {
        return feature(identity, noise, 0.3);
    }

    @Test
    void findsTheRightSubjectOnlyInTheSearchedGallery() {
        for (int i = 0; i < 20; i++) {
            int id = i;
            String gallery = id % 2 == 0 ? "north" : "south";
            List<Hit> hits = searcher.search(SearchRequest.of(gallery, ADAFACE, probeOf(id), 5))
                    .hits();
            assertEquals("s" + id, hits.get(0).subjectId());
            assertTrue(hits.stream().allMatch(h -> h.gallery().equals(gallery)), hits.toString());
            // a probe of a "north" identity searched in "south" finds no hit of that subject
            String other = id % 2 == 0 ? "south" : "north";
            List<Hit> elsewhere = searcher.search(SearchRequest.of(other, ADAFACE, probeOf(id), 10))
                    .hits();
            assertTrue(elsewhere.stream().noneMatch(h -> h.subjectId().equals("s" + id)));
            assertTrue(elsewhere.stream().allMatch(h -> h.gallery().equals(other)));
        }
    }

    @Test
    void exactAndHnswAgreeAndAutoPicksBySize() {
        SearchRequest r = SearchRequest.of("north", ADAFACE, probeOf(4), 10);
        var exact = searcher.search(r.withMode(SearchMode.EXACT));
        var hnsw = searcher.search(r.withMode(SearchMode.HNSW).withCandidates(100));
        assertEquals(SearchMode.EXACT, exact.mode());
        assertEquals(SearchMode.HNSW, hnsw.mode());
        assertEquals(exact.hits(), hnsw.hits(), "HNSW re-ranked with exact floats must equal exact search here");
        // 300 templates in "north" <= threshold 1000 -> exact; a threshold of 10 -> HNSW
        assertEquals(SearchMode.EXACT, searcher.search(r).mode());
        assertEquals(
                SearchMode.HNSW,
                new GallerySearcher(index, new SearchTuning(10, 50)).search(r).mode());
        float[] unit = new Embedding(ADAFACE, r.probe()).unit();
        assertTrue(exact.hits().get(0).score() <= 1.0001f && exact.hits().get(0).score() > 0.5f);
        assertTrue(unit.length == DIM);
    }

    @Test
    void filtersBySubjectMetadataAndIds() {
        var high = searcher.search(
                        SearchRequest.of("north", ADAFACE, probeOf(2), 50).whereSubject(Map.of("risk", "high")))
                .hits();
        assertTrue(!high.isEmpty());
        for (Hit h : high) {
            assertEquals(0, Integer.parseInt(h.subjectId().substring(1)) % 5, h + " is not a high-risk subject");
        }
        var only = searcher.search(
                        SearchRequest.of("north", ADAFACE, probeOf(2), 10).onlySubjects(Set.of("s10", "s20")))
                .hits();
        assertTrue(only.stream().allMatch(h -> Set.of("s10", "s20").contains(h.subjectId())), only.toString());
        assertEquals(6, only.size(), "3 tracks each");
        var both = searcher.search(SearchRequest.of("north", ADAFACE, probeOf(2), 10)
                        .onlySubjects(Set.of("s10", "s12"))
                        .whereSubject(Map.of("risk", "high")))
                .hits();
        assertTrue(both.stream().allMatch(h -> h.subjectId().equals("s10")), both.toString());
        var none = searcher.search(
                SearchRequest.of("north", ADAFACE, probeOf(2), 10).whereSubject(Map.of("risk", "unknown")));
        assertTrue(none.hits().isEmpty());
        // both galleries at once (IJB-S searches G1 | G2)
        var all = searcher.search(
                        SearchRequest.of("north", ADAFACE, probeOf(3), 3).inGalleries(List.of("north", "south")))
                .hits();
        assertEquals("s3", all.get(0).subjectId());
    }

    @Test
    void modelVersionsAreSeparateSpaces() {
        // one medium gets a second model version with a different dimension: only it is searchable in that space
        Medium m = medium("south", "s1", "track0", feature(1, noise, 0.3))
                .withEmbedding(new Embedding(ADAFACE_2, new float[] {1, 2, 3, 4}));
        index.apply(new GalleryChange.PutMedium(m));
        index.finishBatch();
        var v2 = searcher.search(SearchRequest.of("south", ADAFACE_2, new float[] {1, 2, 3, 5}, 10))
                .hits();
        assertEquals(1, v2.size());
        assertEquals(new Hit("south", "s1", "track0", v2.get(0).score()), v2.get(0));
        var e = assertThrows(
                GalleryInputException.class,
                () -> searcher.search(SearchRequest.of("south", ADAFACE_2, probeOf(1), 10)));
        assertTrue(
                e.getMessage().contains("probe has 64 dimensions, model adaface-ir18:2.0 vectors have 4"),
                e.getMessage());
        assertEquals(
                300,
                searcher.search(SearchRequest.of("south", ADAFACE, probeOf(1), 1000))
                        .hits()
                        .size());
    }

    @Test
    void bookingGalleryFusesAllMediaOfASubject() {
        index.apply(new GalleryChange.PutSubject(new Subject("book", "b1", "", Map.of())));
        float[] a = feature(500, noise, 0.5), b = feature(500, noise, 0.5);
        index.apply(new GalleryChange.PutMedium(medium("book", "b1", "m1", a)));
        index.apply(new GalleryChange.PutMedium(medium("book", "b1", "m2", b)));
        index.finishBatch();
        var hits = searcher.search(SearchRequest.of("book", ADAFACE, a, 10)).hits();
        assertEquals(1, hits.size(), "one template per booking subject");
        assertEquals("", hits.get(0).mediaId());
        float[] fused = TemplateFusion.of(List.of(a, b)).unit();
        assertEquals(
                Vectors.dot(new Embedding(ADAFACE, a).unit(), fused),
                hits.get(0).score(),
                1e-5);
        // removing one medium re-fuses the template from the rest
        index.apply(new GalleryChange.Remove(new GalleryKey.OfMedium("book", "b1", "m2")));
        index.finishBatch();
        assertEquals(
                1.0f,
                searcher.search(SearchRequest.of("book", ADAFACE, a, 10))
                        .hits()
                        .get(0)
                        .score(),
                1e-5);
        index.apply(new GalleryChange.Remove(new GalleryKey.OfMedium("book", "b1", "m1")));
        index.finishBatch();
        assertTrue(
                searcher.search(SearchRequest.of("book", ADAFACE, a, 10)).hits().isEmpty());
    }

    @Test
    void badSearchesAreRefusedWithTheReason() {
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> searcher.search(SearchRequest.of("nowhere", ADAFACE, probeOf(1), 5)))
                .getMessage()
                .contains("gallery 'nowhere' does not exist"));
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> searcher.search(SearchRequest.of("north", ADAFACE, new float[DIM], 5)))
                .getMessage()
                .contains("zero vector"));
        float[] nan = probeOf(1);
        nan[7] = Float.NaN;
        assertTrue(assertThrows(
                        GalleryInputException.class, () -> searcher.search(SearchRequest.of("north", ADAFACE, nan, 5)))
                .getMessage()
                .contains("non-finite value NaN at index 7"));
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> searcher.search(SearchRequest.of("north", ADAFACE, new float[] {1, 2}, 5)))
                .getMessage()
                .contains("probe has 2 dimensions"));
        assertTrue(assertThrows(GalleryInputException.class, () -> SearchRequest.of("north", ADAFACE, probeOf(1), 0))
                .getMessage()
                .contains("k = 0"));
    }

    @Test
    void badChangesAreRefusedAndChangeNothing() {
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> index.apply(new GalleryChange.PutMedium(medium("nowhere", "s1", "t", probeOf(1)))))
                .getMessage()
                .contains("gallery 'nowhere' does not exist"));
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> index.apply(new GalleryChange.PutMedium(medium("north", "ghost", "t", probeOf(1)))))
                .getMessage()
                .contains("subject 'ghost' is not enrolled"));
        var dim = assertThrows(
                GalleryInputException.class,
                () -> index.apply(new GalleryChange.PutMedium(medium("north", "s0", "t9", new float[] {1, 2, 3}))));
        assertTrue(dim.getMessage().contains("have 64 dimensions in this gallery index, got 3"), dim.getMessage());
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> index.apply(new GalleryChange.DefineGallery(
                                new GalleryDefinition("north", GalleryKind.BOOKING, Map.of()))))
                .getMessage()
                .contains("kind cannot change"));
        assertTrue(assertThrows(
                        GalleryInputException.class,
                        () -> new Medium("north", "s0", "a/b", List.of(), List.of(new byte[1]), Map.of(), 0))
                .getMessage()
                .contains("media id 'a/b' is not a valid identifier"));
        index.finishBatch();
        assertEquals(
                3,
                searcher.search(SearchRequest.of("north", ADAFACE, probeOf(0), 100)
                                .onlySubjects(Set.of("s0")))
                        .hits()
                        .size());
    }
}

package io.facestream.match.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.core.events.Match;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.search.SearchTuning;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FINAL of a track whose template did not change since its PROVISIONAL asks the same question: answered from the
 * first search while the index content is the same, searched again as soon as a change is visible.
 */
class RepeatedSearchTest {
    private static final ModelVersion MODEL = ModelVersion.parse("test:1");
    private static final int DIM = 16;

    private static float[] unit(Random r) {
        float[] v = new float[DIM];
        double n = 0;
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) r.nextGaussian();
            n += v[d] * v[d];
        }
        for (int d = 0; d < DIM; d++) {
            v[d] /= (float) Math.sqrt(n);
        }
        return v;
    }

    private static void enrol(GalleryIndex index, String subject, float[] v) {
        index.apply(new GalleryChange.PutSubject(new Subject("watch", subject, subject, Map.of())));
        index.apply(new GalleryChange.PutMedium(new Medium(
                "watch", subject, subject + "-m", List.of(new Embedding(MODEL, v)), List.of(), Map.of(), 0)));
        index.finishBatch();
    }

    @Test
    void aRepeatIsAnsweredUntilTheIndexChanges(@TempDir Path dir) {
        Random random = new Random(3);
        try (GalleryIndex index = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            index.apply(new GalleryChange.DefineGallery(new GalleryDefinition("watch", GalleryKind.SINGLE, Map.of())));
            for (int i = 0; i < 20; i++) {
                enrol(index, "s" + i, unit(random));
            }
            IndexedGallery gallery = new IndexedGallery(index, SearchTuning.defaults(), 0.4);
            float[] track = unit(random);

            List<Match.Candidate> first = gallery.search("watch", "test:1", track, 5);
            assertEquals(5, first.size());
            assertEquals(first, gallery.search("watch", "test:1", track.clone(), 5));
            assertEquals(1, gallery.repeatedSearches(), "the same query on the same content");

            gallery.search("watch", "test:1", track, 3); // another k: another question
            float[] other = track.clone();
            other[0] += 1e-3f;
            gallery.search("watch", "test:1", other, 5); // another vector
            assertEquals(1, gallery.repeatedSearches());

            // the track's person is enrolled: visible after the batch, so the same query is searched again
            enrol(index, "the-one", track);
            List<Match.Candidate> after = gallery.search("watch", "test:1", track, 5);
            assertEquals(1, gallery.repeatedSearches(), "searched again after the change");
            assertEquals("the-one", after.get(0).subjectId());
            assertEquals(1.0, after.get(0).score(), 1e-5);
            assertEquals(after, gallery.search("watch", "test:1", track, 5));
            assertEquals(2, gallery.repeatedSearches());
        }
    }

    @Test
    void noneRememberedWithSizeZero(@TempDir Path dir) {
        Random random = new Random(4);
        try (GalleryIndex index = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            index.apply(new GalleryChange.DefineGallery(new GalleryDefinition("watch", GalleryKind.SINGLE, Map.of())));
            enrol(index, "s", unit(random));
            IndexedGallery gallery = new IndexedGallery(index, SearchTuning.defaults(), 0.4, 0);
            float[] q = unit(random);
            assertEquals(gallery.search("watch", "test:1", q, 1), gallery.search("watch", "test:1", q, 1));
            assertEquals(0, gallery.repeatedSearches());
        }
    }
}

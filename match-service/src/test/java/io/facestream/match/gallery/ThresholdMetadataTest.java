package io.facestream.match.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.search.SearchTuning;
import io.facestream.match.decide.OpenSetThreshold;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gallery definition on the topic may carry a threshold this API never wrote (not a number, NaN, out of [-1, 1]):
 * it is not in effect, and decisions use the default instead of failing.
 */
class ThresholdMetadataTest {

    @Test
    void anUnreadableThresholdNamesItsKeyAndIsNotInEffect(@TempDir Path dir) {
        Map<String, String> bad = Map.of("open-set.test:1.threshold", "NaN", "open-set.test:2.threshold", "0.45");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ThresholdMetadata.read(bad, "test:1"));
        assertEquals(
                "gallery metadata open-set.test:1.threshold = 'NaN' is unreadable: open-set threshold must be a cosine "
                        + "in [-1, 1], got NaN",
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ThresholdMetadata.read(Map.of("open-set.test:1.threshold", "high"), "test:1"));
        assertEquals(List.of("test:2"), List.copyOf(ThresholdMetadata.all(bad).keySet()));

        try (GalleryIndex index = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            index.apply(new GalleryChange.DefineGallery(new GalleryDefinition("watch", GalleryKind.SINGLE, bad)));
            index.finishBatch();
            IndexedGallery gallery = new IndexedGallery(index, SearchTuning.defaults(), 0.4);
            OpenSetThreshold t = gallery.threshold("watch", "test:1");
            assertEquals(0.4, t.value());
            assertEquals("default", t.source());
            assertEquals(0.45, gallery.threshold("watch", "test:2").value());
        }
    }
}

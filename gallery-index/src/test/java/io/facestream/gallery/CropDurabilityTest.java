package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.gallery.index.CropStore;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Subject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crop files, and the directory entries that name them, are fsynced before the Lucene commit that refers to them. */
class CropDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void cropsAndTheirDirectoriesAreSyncedByTheCommitThatReferencesThem() {
        try (GalleryIndex index = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            CropStore crops = index.crops();
            index.apply(new GalleryChange.DefineGallery(
                    new GalleryDefinition("watch", GalleryKind.SURVEILLANCE, Map.of())));
            index.apply(new GalleryChange.PutSubject(new Subject("watch", "s1", "", Map.of())));
            index.commit(2);
            assertEquals(Set.of(), crops.unsynced(), "no crops yet");

            GalleryKey.OfMedium key = new GalleryKey.OfMedium("watch", "s1", "m0");
            index.apply(new GalleryChange.PutMedium(
                    medium("watch", "s1", "m0", feature(1, new Random(1), 0.3), jpeg(1), jpeg(2))));
            Path m0 = crops.directory(key);
            Path s1 = m0.getParent();
            Path watch = s1.getParent();
            // the files, the medium's directory, and each directory that got a new entry (created subject/medium dirs)
            assertEquals(
                    Set.of(m0.resolve("0.jpg"), m0.resolve("1.jpg"), m0, s1, watch, crops.root()), crops.unsynced());
            index.commit(3);
            assertEquals(Set.of(), crops.unsynced(), "fsynced before the commit");

            index.apply(new GalleryChange.Remove(key));
            assertEquals(Set.of(s1), crops.unsynced(), "a removal is made durable through its parent directory");
            index.commit(4);
            assertTrue(crops.unsynced().isEmpty());
        }
    }
}

package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.metrics.Metrics;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.ReplicaSettings;
import io.facestream.gallery.search.SearchRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gallery enrolled in several batches ends in several segments, each with its own HNSW graph to walk; once the
 * replica has been quiet for {@code idle-merge.after}, it merges them down in the background and commits, and every
 * template is still found.
 */
@KafkaBroker
@Timeout(120)
class IdleMergeTest {
    private static final int BATCHES = 5;
    private static final int PER_BATCH = 12;

    @TempDir
    Path dir;

    @Test
    void aQuietIndexIsMergedToOneSegmentAndCommitted(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        double before =
                Metrics.registry().counter("facestream.gallery.idle_merges").count();
        try (Gallery g = enrolInBatches(bootstrap, new ReplicaSettings.IdleMerge(Duration.ofSeconds(1), 1))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline
                    && (g.index().segments() > 1
                            || Metrics.registry()
                                            .counter("facestream.gallery.idle_merges")
                                            .count()
                                    <= before)) {
                Thread.sleep(100);
            }
            assertEquals(1, g.index().segments(), "searched segments after the idle merge");
            assertTrue(
                    Metrics.registry().counter("facestream.gallery.idle_merges").count() > before);
            // committed: the index on disk is the merged one, the old segment files are gone
            try (FSDirectory d = FSDirectory.open(dir.resolve("lucene"));
                    DirectoryReader r = DirectoryReader.open(d)) {
                assertEquals(1, r.leaves().size(), "segments of the last commit");
            }
            assertEveryoneFound(g);
        }
    }

    @Test
    void withoutTheIdleMergeTheSegmentsStay(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        try (Gallery g = enrolInBatches(bootstrap, new ReplicaSettings.IdleMerge(Duration.ZERO, 1))) {
            Thread.sleep(3_000); // as long as the other test's idle time, three times over
            assertTrue(g.index().segments() > 1, "segments: " + g.index().segments());
            assertEveryoneFound(g);
        }
    }

    /** One batch after another, each committed before the next: one segment each (too few for a natural merge). */
    private Gallery enrolInBatches(String bootstrap, ReplicaSettings.IdleMerge merge) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        GallerySettings settings = Fixtures.settings(dir, topic);
        settings = settings.withReplica(settings.replica().withIdleMerge(merge));
        Gallery g = Gallery.open(settings, bootstrap);
        try {
            g.publishAll(
                    List.of(new GalleryChange.DefineGallery(new GalleryDefinition("w", GalleryKind.SINGLE, Map.of()))));
            Random noise = new Random(5);
            for (int b = 0; b < BATCHES; b++) {
                List<GalleryChange> batch = new ArrayList<>();
                for (int i = 0; i < PER_BATCH; i++) {
                    String s = "s" + (b * PER_BATCH + i);
                    batch.add(new GalleryChange.PutSubject(new Subject("w", s, s, Map.of())));
                    batch.add(new GalleryChange.PutMedium(
                            medium("w", s, "m", feature(s.hashCode(), noise, 0.1), jpeg(s.hashCode()))));
                }
                g.publishAll(batch);
                Thread.sleep(400); // past a commit (every 200 ms here): the batch is a segment on disk
            }
            return g;
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
    }

    private static void assertEveryoneFound(Gallery g) {
        Random noise = new Random(9);
        for (int n = 0; n < BATCHES * PER_BATCH; n++) {
            String s = "s" + n;
            var hits = g.search(SearchRequest.of("w", Fixtures.ADAFACE, feature(s.hashCode(), noise, 0.1), 1))
                    .hits();
            assertEquals(s, hits.getFirst().subjectId(), "nearest to " + s + "'s face");
        }
    }
}

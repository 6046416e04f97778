package io.facestream.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.Medium;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.search.MatchAllDocsQuery;

/** Asserts that an index holds exactly what a topic says: every record once, with its vectors and crops, and nothing else. */
final class IndexContents {
    private IndexContents() {}

    static void assertEqualsTopic(TopicState topic, GalleryIndex index, String gallery) {
        Map<String, Medium> expected = new java.util.TreeMap<>(topic.media());
        expected.values().removeIf(m -> !m.gallery().equals(gallery));
        long docs = index.withSearcher(s -> count(s, index.layout().media(gallery)));
        assertEquals(
                expected.size(),
                docs,
                "medium documents in the index vs live media in the topic (nothing lost, nothing doubled)");
        for (Medium m : expected.values()) {
            Medium stored = index.medium(m.key())
                    .orElseThrow(
                            () -> new AssertionError("index lacks " + m.key().text()));
            assertEquals(m.embeddings(), stored.embeddings(), m.key().text());
            assertEquals(m.crops().size(), stored.crops().size(), m.key().text());
            for (int i = 0; i < m.crops().size(); i++) {
                assertArrayEquals(
                        m.crops().get(i), stored.crops().get(i), m.key().text() + " crop " + i);
            }
        }
        topic.live.forEach((k, v) -> {
            if (v instanceof GalleryChange.PutSubject s && s.subject().gallery().equals(gallery)) {
                assertTrue(index.hasSubject(s.subject().key()), "index lacks subject " + k);
            }
        });
        // and no crop directory of a medium the topic no longer has
        Path galleryCrops = index.crops().directory(new GalleryKey.OfGallery(gallery));
        try (Stream<Path> dirs = Files.exists(galleryCrops) ? Files.walk(galleryCrops, 2) : Stream.empty()) {
            dirs.filter(p -> index.crops().root().relativize(p).getNameCount() == 3)
                    .forEach(p -> {
                        String key = index.crops().root().relativize(p).toString();
                        assertTrue(expected.containsKey(key), "orphan crop directory " + key);
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(index.withSearcher(s -> count(s, new MatchAllDocsQuery())) >= docs);
    }

    static long count(org.apache.lucene.search.IndexSearcher s, org.apache.lucene.search.Query q) {
        try {
            return s.count(q);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GalleryKey.OfMedium key(String text) {
        return (GalleryKey.OfMedium) GalleryKey.parse(text);
    }
}

package io.facestream.match.gallery;

import io.facestream.core.events.Match;
import java.util.Arrays;
import java.util.List;

/**
 * The last few gallery searches and what they found, each with the index content it saw ({@code
 * GalleryIndex.searchedContent}). A track is searched for its PROVISIONAL decision and again for its FINAL; when no
 * face was added in between (a one-face track, or later faces all below the quality threshold) the two queries are the
 * same vector, and when the index has not changed either, the second search would find exactly what the first did.
 * Asked again for the same gallery, model, query and k on the same content, this returns the first answer. Any change
 * to the replica that a search could see (a refresh) makes every remembered search stale.
 *
 * <p>A ring of {@link #SIZE} entries: PROVISIONAL and FINAL of a track are a close-after interval apart, a few hundred
 * searches at most at the rates one instance handles. Thread-safe.
 */
final class RecentSearches {
    static final int SIZE = 512;

    private record Entry(
            Object content,
            String gallery,
            String model,
            int hash,
            float[] query,
            int k,
            List<Match.Candidate> found) {}

    private final Entry[] ring;
    private int next;

    RecentSearches(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("remembered searches must be >= 0, got " + size);
        }
        this.ring = new Entry[size];
    }

    synchronized List<Match.Candidate> find(Object content, String gallery, String model, float[] query, int k) {
        int hash = Arrays.hashCode(query);
        for (Entry e : ring) {
            if (e != null
                    && e.content() == content
                    && e.hash() == hash
                    && e.k() == k
                    && e.gallery().equals(gallery)
                    && e.model().equals(model)
                    && Arrays.equals(e.query(), query)) {
                return e.found();
            }
        }
        return null;
    }

    synchronized void add(
            Object content, String gallery, String model, float[] query, int k, List<Match.Candidate> found) {
        if (ring.length == 0) {
            return;
        }
        ring[next] = new Entry(content, gallery, model, Arrays.hashCode(query), query.clone(), k, List.copyOf(found));
        next = (next + 1) % ring.length;
    }
}

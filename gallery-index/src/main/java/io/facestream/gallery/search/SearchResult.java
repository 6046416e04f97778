package io.facestream.gallery.search;

import java.util.List;

/** The top hits, best first, and the mode that actually ran (AUTO resolves to EXACT or HNSW). */
public record SearchResult(List<Hit> hits, SearchMode mode) {
    public SearchResult {
        hits = List.copyOf(hits);
    }
}

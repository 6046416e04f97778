package io.facestream.gallery.search;

/** How a search finds its top k: decided by gallery size ({@link #AUTO}) or forced. */
public enum SearchMode {
    /** EXACT up to the exact-search threshold of templates, HNSW above it. */
    AUTO,
    /** Brute force over every template: the reference, and what evaluation always uses. */
    EXACT,
    /** HNSW graph search for candidates, then exact re-ranking of the candidates. */
    HNSW
}

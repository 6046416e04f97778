package io.facestream.gallery.search;

import io.facestream.gallery.model.GalleryInputException;

/**
 * Search defaults: AUTO searches exactly up to {@code exactThreshold} templates (brute force is both exact and, at
 * that size, about as fast), and HNSW asks the graph for {@code candidates} nearest templates before re-ranking.
 */
public record SearchTuning(int exactThreshold, int candidates) {
    public SearchTuning {
        if (exactThreshold < 0) {
            throw new GalleryInputException("exact-search threshold " + exactThreshold + " must be >= 0");
        }
        if (candidates < 1) {
            throw new GalleryInputException("hnsw candidates " + candidates + " must be >= 1");
        }
    }

    public static SearchTuning defaults() {
        return new SearchTuning(20_000, 100);
    }
}

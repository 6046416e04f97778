package io.facestream.gallery.search;

import io.facestream.gallery.model.GalleryInputException;

/**
 * Search defaults: AUTO searches exactly up to {@code exactThreshold} templates (brute force is both exact and, at
 * that size, about as fast), and HNSW asks the graph for {@code candidates} nearest templates before re-ranking.
 * An exact scan over many vectors is split across {@code exactThreads} threads (0 = one per core): it is bound by
 * memory bandwidth, which one core does not saturate.
 */
public record SearchTuning(int exactThreshold, int candidates, int exactThreads) {
    public SearchTuning {
        if (exactThreshold < 0) {
            throw new GalleryInputException("exact-search threshold " + exactThreshold + " must be >= 0");
        }
        if (candidates < 1) {
            throw new GalleryInputException("hnsw candidates " + candidates + " must be >= 1");
        }
        if (exactThreads < 0) {
            throw new GalleryInputException("exact-scan threads " + exactThreads + " must be >= 0 (0 = one per core)");
        }
    }

    /** One exact-scan thread per core. */
    public SearchTuning(int exactThreshold, int candidates) {
        this(exactThreshold, candidates, 0);
    }

    public static SearchTuning defaults() {
        return new SearchTuning(20_000, 100);
    }

    /** The exact-scan threads to use on this machine. */
    public int exactParallelism() {
        return exactThreads == 0 ? Runtime.getRuntime().availableProcessors() : exactThreads;
    }
}

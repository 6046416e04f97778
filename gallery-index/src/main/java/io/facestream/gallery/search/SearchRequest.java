package io.facestream.gallery.search;

import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.ModelVersion;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A top-k cosine search of one probe (a raw or unit feature; it is normalised) among the templates of one or more
 * galleries in one model version's space, optionally restricted to subjects with given metadata and/or ids.
 * {@code candidates} is the HNSW result-queue size (0 = the configured default); it is also Lucene's beam width at
 * search time, so it is the recall/latency knob.
 */
public record SearchRequest(
        List<String> galleries,
        ModelVersion model,
        float[] probe,
        int k,
        Map<String, String> subjectMetadata,
        Set<String> subjectIds,
        SearchMode mode,
        int candidates) {
    public static final int MAX_K = 10_000;

    public SearchRequest {
        if (galleries == null || galleries.isEmpty()) {
            throw new GalleryInputException("search names no gallery");
        }
        galleries = List.copyOf(galleries);
        if (model == null) {
            throw new GalleryInputException("search names no model version");
        }
        if (probe == null) {
            throw new GalleryInputException("search has no probe vector");
        }
        if (k < 1 || k > MAX_K) {
            throw new GalleryInputException("search k = " + k + " must be in 1.." + MAX_K);
        }
        if (candidates < 0) {
            throw new GalleryInputException("search candidates = " + candidates + " must be >= 0 (0 = default)");
        }
        subjectMetadata = subjectMetadata == null ? Map.of() : Map.copyOf(subjectMetadata);
        subjectIds = subjectIds == null ? Set.of() : Set.copyOf(subjectIds);
        mode = mode == null ? SearchMode.AUTO : mode;
    }

    public static SearchRequest of(String gallery, ModelVersion model, float[] probe, int k) {
        return new SearchRequest(List.of(gallery), model, probe, k, Map.of(), Set.of(), SearchMode.AUTO, 0);
    }

    public SearchRequest inGalleries(List<String> names) {
        return new SearchRequest(names, model, probe, k, subjectMetadata, subjectIds, mode, candidates);
    }

    public SearchRequest withMode(SearchMode m) {
        return new SearchRequest(galleries, model, probe, k, subjectMetadata, subjectIds, m, candidates);
    }

    public SearchRequest withCandidates(int c) {
        return new SearchRequest(galleries, model, probe, k, subjectMetadata, subjectIds, mode, c);
    }

    public SearchRequest whereSubject(Map<String, String> metadata) {
        return new SearchRequest(galleries, model, probe, k, metadata, subjectIds, mode, candidates);
    }

    public SearchRequest onlySubjects(Set<String> ids) {
        return new SearchRequest(galleries, model, probe, k, subjectMetadata, ids, mode, candidates);
    }
}

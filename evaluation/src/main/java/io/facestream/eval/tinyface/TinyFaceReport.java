package io.facestream.eval.tinyface;

import java.util.List;

/**
 * A TinyFace run: the CMC (element k-1 is rank-k, k = 1 … 20) and the set sizes it was computed on.
 */
public record TinyFaceReport(List<Double> cmc, int probes, int galleryMatch, int distractors) {
    public static final int MAX_RANK = 20;

    public TinyFaceReport {
        cmc = List.copyOf(cmc);
    }

    public double rank(int k) {
        return cmc.get(k - 1);
    }

    public TinyFaceScores scores() {
        return new TinyFaceScores(rank(1), rank(5), rank(20));
    }
}

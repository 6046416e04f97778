package io.facestream.eval.ijbs.metrics;

import java.util.Arrays;

/**
 * Closed-set ranks over G1 ∪ G2 and open-set scores per gallery for one probe set (adaface.md §5c).
 */
public final class IdentificationResult {
    public static final double[] REPORTED_FPIRS = {0.01, 0.1};

    private final int probes;
    private final int galleryTemplates;
    private final int g1Size;
    private final int[] mateRanks;
    private final OpenSetGallery g1;
    private final OpenSetGallery g2;

    IdentificationResult(
            int probes, int galleryTemplates, int g1Size, int[] mateRanks, OpenSetGallery g1, OpenSetGallery g2) {
        this.probes = probes;
        this.galleryTemplates = galleryTemplates;
        this.g1Size = g1Size;
        this.mateRanks = mateRanks.clone();
        this.g1 = g1;
        this.g2 = g2;
    }

    public int probes() {
        return probes;
    }

    /** Probes with a mate in G1 ∪ G2: the closed-set denominator. */
    public int matedProbes() {
        return mateRanks.length;
    }

    public int galleryTemplates() {
        return galleryTemplates;
    }

    /** Templates of G1, the leading columns of the closed-set gallery. */
    public int g1Size() {
        return g1Size;
    }

    public OpenSetGallery g1() {
        return g1;
    }

    public OpenSetGallery g2() {
        return g2;
    }

    /** Rank-k: fraction of mated probes whose mate is within the first k of the sorted [G1 | G2] row. */
    public double rank(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("rank must be >= 1, got " + k);
        }
        return (double) Arrays.stream(mateRanks).filter(r -> r <= k).count() / mateRanks.length;
    }

    /** The CMC curve: element k-1 is Rank-k, for k = 1 … maxRank. */
    public double[] cmc(int maxRank) {
        double[] curve = new double[maxRank];
        for (int k = 1; k <= maxRank; k++) {
            curve[k - 1] = rank(k);
        }
        return curve;
    }

    /** (TPIR_G1 + TPIR_G2) / 2 at one FPIR. */
    public double tpirAtFpir(double fpir) {
        return (g1.tpirAtFpir(fpir) + g2.tpirAtFpir(fpir)) / 2.0;
    }

    public IdentificationMetrics metrics() {
        return new IdentificationMetrics(rank(1), rank(5), rank(10), tpirAtFpir(0.01), tpirAtFpir(0.1));
    }
}

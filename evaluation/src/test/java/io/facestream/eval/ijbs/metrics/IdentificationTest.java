package io.facestream.eval.ijbs.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdentificationTest {

    /**
     * Gallery columns: c0 = subject 1 (G1), c1 = subject 2 (G1), c2 = subject 3 (G2), c3 = subject 4 (G2).
     * <pre>
     * p0 subject 1 [.9 .2 .3 .1]  closed rank 1 | G1 mated, first, .9     | G2 non-mated, max .3
     * p1 subject 3 [.5 .1 .4 .6]  closed rank 3 | G1 non-mated, max .5    | G2 mated, .4 < .6: not first
     * p2 subject 2 [0 0 0 0]      (empty template) mate c1, c2 and c3 tie and sort first: closed rank 3
     *                                           | G1 mated: c0 ties, c1 is further right: first, score 0 | G2 non-mated, 0
     * p3 subject 9 [.7 .2 .8 .3]  no mate       | G1 non-mated .7         | G2 non-mated .8
     * Closed set over the 3 mated probes, ranks {1, 3, 3}: Rank-1 = 1/3, Rank-2 = 1/3, Rank-3 = Rank-5 = Rank-10 = 1.
     * G1: non-mated top scores [.7, .5], N = 2: n_fa = floor(2·.01) = floor(2·.1) = 0, τ = .7 + 1e-8;
     *     p0 (.9, first) counts, p2 (0) does not: TPIR_G1 = 1/2.
     * G2: non-mated [.8, .3, 0], N = 3, n_fa = 0, τ = .8 + 1e-8; p1 is not first: TPIR_G2 = 0/1 = 0.
     * TPIR@1% = TPIR@10% = (1/2 + 0)/2 = .25
     * </pre>
     */
    @Test
    void closedAndOpenSetOnAHandComputedMatrix() {
        double[][] scores = {
            {.9, .2, .3, .1},
            {.5, .1, .4, .6},
            {0, 0, 0, 0},
            {.7, .2, .8, .3}
        };
        IdentificationResult r =
                Identification.evaluate(ScoreRows.of(scores), new int[] {1, 3, 2, 9}, new int[] {1, 2, 3, 4}, 2);

        assertEquals(4, r.probes());
        assertEquals(3, r.matedProbes());
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1, 1}, r.cmc(4), 1e-12);
        IdentificationMetrics m = r.metrics();
        assertEquals(1 / 3.0, m.rank1(), 1e-12);
        assertEquals(1, m.rank5());
        assertEquals(1, m.rank10());
        assertEquals(0.5, r.g1().tpirAtFpir(0.01), 1e-12);
        assertEquals(0.0, r.g2().tpirAtFpir(0.01), 1e-12);
        assertEquals(0.25, m.tpirAtFpir1pct(), 1e-12);
        assertEquals(0.25, m.tpirAtFpir10pct(), 1e-12);
        assertEquals(2, r.g1().mated());
        assertEquals(2, r.g1().nonMated());
        assertEquals(1, r.g2().mated());
        assertEquals(3, r.g2().nonMated());
    }

    /**
     * Ties decide rank-1: probe of subject 2 scores .5 against both columns.
     * G = [subject 1, subject 2] in G1 plus [subject 3] in G2, all scoring .5 → the rightmost column ranks first,
     * so the mate (c1) has rank 1 + 1 (c2 is further right) = 2; within G1 alone it is first (c0 is left of it).
     * A second probe (subject 1, mate c0, same row) ranks 3 closed-set, and is not first in G1.
     * A third (subject 3, row [.1 .2 .3]) ranks 1. Ranks {2, 3, 1}: CMC = [1/3, 2/3, 1].
     */
    @Test
    void tiesSortTheRightmostColumnFirst() {
        double[][] scores = {{.5, .5, .5}, {.5, .5, .5}, {.1, .2, .3}};
        IdentificationResult r =
                Identification.evaluate(ScoreRows.of(scores), new int[] {2, 1, 3}, new int[] {1, 2, 3}, 2);
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0, 1}, r.cmc(3), 1e-12);
        assertEquals(2, Ranking.rank(scores[0], 0, 3, 1));
        assertEquals(1, Ranking.rank(scores[0], 0, 2, 1));
        assertEquals(2, Ranking.rank(scores[0], 0, 2, 0));
        assertTrue(Ranking.before(scores[0], 2, 1));
        assertFalse(Ranking.before(scores[0], 0, 1));
    }

    @Test
    void emptyTemplatesScoreExactlyZero() {
        // IjbsEvaluation gives a template without a face the zero vector
        float[][] probes = {new float[3], {1, 0, 0}};
        float[][] gallery = {{0, 1, 0}, {1, 0, 0}, new float[3]};
        ScoreRows rows = ScoreRows.innerProducts(probes, gallery);
        assertArrayEquals(new double[] {0, 0, 0}, rows.row(0));
        assertArrayEquals(new double[] {0, 1, 0}, rows.row(1));
    }

    @Test
    void refusesWhatTheReferenceAssertsAgainst() {
        double[][] scores = {{.1, .2}, {.3, .4}};
        IllegalArgumentException twoMates = assertThrows(
                IllegalArgumentException.class,
                () -> Identification.evaluate(ScoreRows.of(scores), new int[] {1, 2}, new int[] {1, 1}, 1));
        assertTrue(twoMates.getMessage().contains("at most one mate"), twoMates.getMessage());
        IllegalArgumentException noMate = assertThrows(
                IllegalArgumentException.class,
                () -> Identification.evaluate(ScoreRows.of(scores), new int[] {8, 9}, new int[] {1, 2}, 1));
        assertTrue(noMate.getMessage().contains("no probe has a mate"), noMate.getMessage());
        // Every probe is mated in G1: G1 has no non-mated probe, so no FPIR threshold exists.
        IllegalArgumentException noNonMate = assertThrows(
                IllegalArgumentException.class,
                () -> Identification.evaluate(ScoreRows.of(scores), new int[] {1, 1}, new int[] {1, 2}, 1));
        assertTrue(noNonMate.getMessage().contains("no non-mated probe"), noNonMate.getMessage());
    }
}

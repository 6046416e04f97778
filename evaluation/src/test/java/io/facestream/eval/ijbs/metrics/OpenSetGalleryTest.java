package io.facestream.eval.ijbs.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenSetGalleryTest {

    /**
     * 20 non-mated probes with top scores .05, .10, … 1.00, so s₁ = 1.00, s₂ = .95, s₃ = .90.
     * FPIR 10%: n_fa = floor(20·.1) = 2 → τ = s₂ = .95. FPIR 1%: n_fa = floor(.2) = 0 → τ = s₁ + 1e-8.
     * Mated: (first, .97) (first, .95) (first, .90) (not first, .99) (first, 1.00).
     * TPIR@10% counts first-ranked mates ≥ .95: .97, .95 (equal counts), 1.00 → 3/5 = .6
     * TPIR@1%: nothing reaches 1.00000001 → 0/5 = 0, although one mate scores 1.00 = s₁.
     */
    @Test
    void thresholdsFollowTheNonMatedScores() {
        List<GalleryOutcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            outcomes.add(GalleryOutcome.nonMated(i / 20.0)); // i / 20.0 is exactly the double nearest .05·i
        }
        outcomes.add(GalleryOutcome.mated(true, 0.97));
        outcomes.add(GalleryOutcome.mated(true, 0.95));
        outcomes.add(GalleryOutcome.mated(true, 0.90));
        outcomes.add(GalleryOutcome.mated(false, 0.99));
        outcomes.add(GalleryOutcome.mated(true, 1.00));
        OpenSetGallery g = new OpenSetGallery("G1", outcomes);

        assertEquals(2, g.falseAlarms(0.1));
        assertEquals(0, g.falseAlarms(0.01));
        assertEquals(0.95, g.threshold(2), 1e-12);
        assertEquals(1.0 + 1e-8, g.threshold(0), 1e-15);
        assertEquals(0.6, g.tpirAtFpir(0.1), 1e-12);
        assertEquals(0.0, g.tpirAtFpir(0.01), 1e-12);
        // n_fa = 3 → τ = .90: .97, .95, .90, 1.00 → 4/5
        assertEquals(0.8, g.tpirAtThreshold(g.threshold(3)), 1e-12);
    }

    /** n_fa is the float64 product truncated, as NumPy's astype(int32): 30·0.1 = 3.0000000000000004 → 3, 7·0.1 → 0. */
    @Test
    void falseAlarmCountTruncatesTheProduct() {
        assertEquals(3, gallery(30).falseAlarms(0.1));
        assertEquals(0, gallery(7).falseAlarms(0.1));
        assertEquals(0, gallery(99).falseAlarms(0.01));
        assertEquals(1, gallery(100).falseAlarms(0.01));
        assertEquals(1, gallery(100).falseAlarms(0.01));
    }

    /**
     * Non-mated [.8, .3], mated (first .5) (first .9): the curve is n_fa = 0 → τ .8+1e-8 → 1/2; n_fa = 1 → τ .8 → 1/2;
     * n_fa = 2 → τ .3 → 2/2.
     */
    @Test
    void curveHasEveryOperatingPoint() {
        OpenSetGallery g = new OpenSetGallery(
                "G2",
                List.of(
                        GalleryOutcome.nonMated(.8),
                        GalleryOutcome.nonMated(.3),
                        GalleryOutcome.mated(true, .5),
                        GalleryOutcome.mated(true, .9)));
        double[][] curve = g.curve();
        assertEquals(3, curve.length);
        assertArrayEquals(new double[] {0, 0.5}, curve[0], 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, curve[1], 1e-12);
        assertArrayEquals(new double[] {1, 1}, curve[2], 1e-12);
    }

    private static OpenSetGallery gallery(int nonMated) {
        List<GalleryOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < nonMated; i++) {
            outcomes.add(GalleryOutcome.nonMated(i));
        }
        outcomes.add(GalleryOutcome.mated(true, 1));
        return new OpenSetGallery("G", outcomes);
    }
}

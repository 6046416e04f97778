package io.facestream.match.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ThresholdTransferTest {
    private static final OpenSetThreshold CALIBRATED = new OpenSetThreshold(0.42, 0.01, 300, "calibrated");

    /** Impostor cosines of a typical face model: mean 0.1, sd 0.12. */
    private static double[] impostors(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
            s[i] = 0.1 + 0.12 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }
        return s;
    }

    private static double[] map(double[] s, DoubleUnaryOperator f) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = f.applyAsDouble(s[i]);
        }
        return out;
    }

    private static long atOrAbove(double[] s, double t) {
        return java.util.Arrays.stream(s).filter(x -> x >= t).count();
    }

    @Test
    void theSameSpaceKeepsTheThresholdByEitherMethod() {
        double[] old = impostors(5_000, 1);
        var quantile =
                ThresholdTransfer.transfer(CALIBRATED, "m:1", old, old.clone()).orElseThrow();
        assertEquals("quantile", quantile.method());
        assertEquals(0.42, quantile.threshold().value(), 1e-12);

        var strict = new OpenSetThreshold(0.70, 0.001, 3000, "calibrated");
        var z = ThresholdTransfer.transfer(strict, "m:1", old, old.clone()).orElseThrow();
        assertEquals("z-score", z.method(), "no impostor pair reaches 0.70: the tail is empty");
        assertEquals(0.70, z.threshold().value(), 1e-12);
    }

    @Test
    void anIncreasingAffineChangeOfScoresMovesTheThresholdWithIt() {
        double[] old = impostors(5_000, 2);
        double[] scaled = map(old, s -> 0.8 * s - 0.05);
        var q = ThresholdTransfer.transfer(CALIBRATED, "m:1", old, scaled).orElseThrow();
        assertEquals("quantile", q.method());
        assertEquals(0.8 * 0.42 - 0.05, q.threshold().value(), 1e-9);
        var z = ThresholdTransfer.transfer(new OpenSetThreshold(0.75, 0.001, 3000, "calibrated"), "m:1", old, scaled)
                .orElseThrow();
        assertEquals("z-score", z.method());
        assertEquals(0.8 * 0.75 - 0.05, z.threshold().value(), 1e-9);
    }

    @Test
    void aNonLinearChangeKeepsTheFalseAlarmCountOnTheImpostorPairs() {
        double[] old = impostors(20_000, 3);
        double[] squashed = map(old, s -> Math.tanh(2 * s) * 0.9);
        var q = ThresholdTransfer.transfer(CALIBRATED, "m:1", old, squashed).orElseThrow();
        assertEquals("quantile", q.method());
        assertTrue(atOrAbove(old, 0.42) >= ThresholdTransfer.MIN_TAIL, "the test exercises the quantile method");
        assertEquals(atOrAbove(old, 0.42), atOrAbove(squashed, q.threshold().value()));
        assertEquals(q.above(), atOrAbove(old, 0.42));
        // and lands where the (unknown to it) map puts the old threshold, to within the gap between order statistics
        assertTrue(Math.abs(q.threshold().value() - Math.tanh(2 * 0.42) * 0.9) < 1e-3);
    }

    @Test
    void keepsTheTargetAndSaysWhereTheThresholdCameFrom() {
        double[] old = impostors(5_000, 4);
        OpenSetThreshold t = ThresholdTransfer.transfer(CALIBRATED, "mobilefacenet:1.0.24", old, old)
                .orElseThrow()
                .threshold();
        assertEquals(0.01, t.targetFpir());
        assertEquals(300, t.calibratedOn());
        assertTrue(
                t.source().startsWith("transferred from mobilefacenet:1.0.24 (quantile, 5000 impostor pairs"),
                t.source());
    }

    @Test
    void tooFewPairsOrUnpairedScoresGiveNoThreshold() {
        double[] few = impostors(ThresholdTransfer.MIN_PAIRS - 1, 5);
        assertTrue(ThresholdTransfer.transfer(CALIBRATED, "m:1", few, few).isEmpty());
        double[] constant = new double[500];
        assertTrue(
                ThresholdTransfer.transfer(
                                new OpenSetThreshold(0.5, 0.01, 100, "calibrated"), "m:1", constant, constant)
                        .isEmpty(),
                "no spread to scale by");
        assertThrows(
                IllegalArgumentException.class,
                () -> ThresholdTransfer.transfer(CALIBRATED, "m:1", impostors(200, 6), impostors(201, 6)));
    }
}

package io.facestream.trainer.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.facestream.trainer.testing.WithTorchManager;
import org.junit.jupiter.api.Test;

class MarginHeadTest extends WithTorchManager {
    /** Reference §1.2 worked test vector: float64, μ=20, σ=100, m=0.4, h=0.333, s=64, α=0.01. */
    @Test
    void adaFaceMatchesTheReferenceTestVector() {
        AdaFaceHead head = new AdaFaceHead(AdaFaceHead.Parameters.PAPER, NormStatistics.ADAFACE_INITIAL);
        // column 0 is every sample's target, column 1 a non-target with cos = 0.1
        NDArray cos = manager.create(new double[] {0.5, 0.1, 0.2, 0.1, 0.9, 0.1, -0.3, 0.1}, new Shape(4, 2));
        NDArray norms = manager.create(new double[] {10, 20, 30, 40}, new Shape(4, 1));
        NDArray labels = manager.create(new long[] {0, 0, 0, 0});

        double[] logits = head.logits(cos, norms, labels, true).toDoubleArray();

        assertEquals(20.05, head.statistics().mean(), 1e-9);
        assertEquals(99.129099445, head.statistics().std(), 1e-9);
        double[] target = {logits[0], logits[2], logits[4], logits[6]};
        assertArrayEquals(new double[] {6.512894, -12.799913, 31.512154, -44.872321}, target, 1e-6);
        for (int i = 1; i < 8; i += 2) {
            assertEquals(6.4, logits[i], 1e-9, "non-target logit " + i);
        }
    }

    @Test
    void adaFaceLeavesStatisticsAloneOutsideTraining() {
        AdaFaceHead head = new AdaFaceHead(AdaFaceHead.Parameters.PAPER, NormStatistics.ADAFACE_INITIAL);
        NDArray cos = manager.create(new double[] {0.5, 0.1, 0.2, 0.1}, new Shape(2, 2));
        head.logits(
                cos, manager.create(new double[] {10, 20}, new Shape(2, 1)), manager.create(new long[] {0, 0}), false);
        assertEquals(NormStatistics.ADAFACE_INITIAL, head.statistics());
    }

    @Test
    void adaFaceRefusesSingleSampleBatches() {
        AdaFaceHead head = new AdaFaceHead(AdaFaceHead.Parameters.PAPER, NormStatistics.ADAFACE_INITIAL);
        NDArray cos = manager.create(new double[] {0.5, 0.1}, new Shape(1, 2));
        assertThrows(
                IllegalArgumentException.class,
                () -> head.logits(
                        cos, manager.create(new double[] {10}, new Shape(1, 1)), manager.create(new long[] {0}), true));
    }

    @Test
    void arcFaceAndCosFaceAddTheirMarginsToTheTargetOnly() {
        NDArray cos = manager.create(new double[] {0.5, 0.1, 0.3, -0.7}, new Shape(2, 2));
        NDArray norms = manager.create(new double[] {1, 1}, new Shape(2, 1));
        NDArray labels = manager.create(new long[] {0, 1});

        double[] arc = ArcFaceHead.DEFAULT.logits(cos, norms, labels, true).toDoubleArray();
        assertArrayEquals(
                new double[] {64 * Math.cos(Math.acos(0.5) + 0.5), 6.4, 64 * 0.3, 64 * Math.cos(Math.acos(-0.7) + 0.5)},
                arc,
                1e-9);

        double[] cosFace = CosFaceHead.DEFAULT.logits(cos, norms, labels, true).toDoubleArray();
        assertArrayEquals(new double[] {64 * (0.5 - 0.4), 6.4, 64 * 0.3, 64 * (-0.7 - 0.4)}, cosFace, 1e-9);
    }

    @Test
    void arcFaceClipsInsteadOfFallingBackPastPi() {
        NDArray cos = manager.create(new double[] {-0.99, 0.0}, new Shape(1, 2));
        double[] arc = ArcFaceHead.DEFAULT
                .logits(cos, manager.ones(new Shape(1, 1)), manager.create(new long[] {0}), true)
                .toDoubleArray();
        assertEquals(64 * Math.cos(Math.PI - 1e-4), arc[0], 1e-9);
    }

    @Test
    void classCentresHaveUnitColumnsAndGiveCosines() {
        ClassCentres centres = ClassCentres.initial(manager, 8, 5, 42);
        NDArray colNorms = centres.weight().norm(new int[] {0});
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, colNorms.toFloatArray(), 1e-5f);
        NDArray u = centres.weight().transpose().get("0:2");
        float[] cos = centres.cosine(u).toFloatArray();
        assertEquals(1f, cos[0], 1e-5f);
        assertEquals(1f, cos[6], 1e-5f);
    }

    @Test
    void crossEntropyIsMeanNegativeLogSoftmaxOfTheLabel() {
        NDArray logits = manager.create(new double[] {2, 0, 0, 1}, new Shape(2, 2));
        double loss = MarginLoss.crossEntropy(logits, manager.create(new long[] {0, 0}))
                .getDouble();
        double expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(1))) / 2;
        assertEquals(expected, loss, 1e-12);
    }
}

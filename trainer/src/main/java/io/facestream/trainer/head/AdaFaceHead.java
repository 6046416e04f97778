package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.facestream.trainer.torch.Owned;

/**
 * AdaFace (reference §1.2): the margin adapts to image quality, proxied by the feature norm normalised with running
 * batch statistics. Low-norm (low quality) samples get an ArcFace-like angular margin, high-norm samples a harder
 * additive one. Stateful: the EMA of the norm statistics changes on every training forward.
 */
public final class AdaFaceHead implements MarginHead {
    private static final double EPS = 1e-3;

    /**
     * @param margin        m
     * @param concentration h
     * @param scale         s
     * @param alpha         EMA momentum of the norm statistics
     */
    public record Parameters(double margin, double concentration, double scale, double alpha) {
        /** The published runs (README, scripts): m = 0.4, h = 0.333, s = 64, α = 0.01. */
        public static final Parameters PAPER = new Parameters(0.4, 0.333, 64, 0.01);
    }

    private final Parameters parameters;
    private NormStatistics statistics;

    public AdaFaceHead(Parameters parameters, NormStatistics statistics) {
        this.parameters = parameters;
        this.statistics = statistics;
    }

    @Override
    public NDArray logits(NDArray cosine, NDArray norms, NDArray labels, boolean training) {
        NDArray cos = cosine.clip(-1 + EPS, 1 - EPS);
        // The norm only steers the margin: no gradient may flow through it (reference step 2).
        NDArray n = norms.clip(0.001, 100).stopGradient();
        if (training) {
            updateStatistics(n);
        }
        NDArray zHat = n.sub(Owned.scalar(n, statistics.mean()))
                .mul(Owned.scalar(n, parameters.concentration()))
                .div(Owned.scalar(n, statistics.std() + EPS))
                .clip(-1, 1);
        NDArray oneHot = labels.toType(DataType.INT64, false)
                .oneHot((int) cos.getShape().get(1))
                .toType(cos.getDataType(), false);
        double m = parameters.margin();
        // Angular part: θ' = clip(θ − m·ẑ, eps, π − eps) on the target column; the others get a zero margin and the
        // same clip, which is a no-op after the ±0.999 clamp, so they stay cos_j.
        NDArray gAngle = oneHot.mul(zHat.mul(Owned.scalar(zHat, -m)));
        NDArray theta = cos.acos().add(gAngle).clip(EPS, Math.PI - EPS);
        NDArray gAdd = oneHot.mul(zHat.mul(Owned.scalar(zHat, m)).add(Owned.scalar(zHat, m)));
        return theta.cos().sub(gAdd).mul(Owned.scalar(theta, parameters.scale()));
    }

    private void updateStatistics(NDArray n) {
        double[] values = n.toType(DataType.FLOAT64, false).toDoubleArray();
        if (values.length < 2) {
            // The unbiased std of one sample is NaN and would poison μ, σ for good (reference §1.2 edge case).
            throw new IllegalArgumentException(
                    "AdaFace needs training batches of at least 2 samples, got " + values.length);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        double sq = 0;
        for (double v : values) {
            sq += (v - mean) * (v - mean);
        }
        statistics = statistics.update(parameters.alpha(), mean, Math.sqrt(sq / (values.length - 1)));
    }

    public Parameters parameters() {
        return parameters;
    }

    @Override
    public NormStatistics statistics() {
        return statistics;
    }

    @Override
    public HeadKind kind() {
        return HeadKind.ADAFACE;
    }
}

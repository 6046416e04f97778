package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.facestream.trainer.torch.Owned;

/**
 * ArcFace as AdaFace's repository has it (reference §1.3): target logit {@code s·cos(clip(θ + m, eps, π − eps))};
 * no {@code cos θ − m·sin m} fallback past π, it just clips.
 */
public record ArcFaceHead(double margin, double scale) implements MarginHead {
    public static final ArcFaceHead DEFAULT = new ArcFaceHead(0.5, 64);
    private static final double EPS = 1e-4;

    @Override
    public NDArray logits(NDArray cosine, NDArray norms, NDArray labels, boolean training) {
        NDArray cos = cosine.clip(-1 + EPS, 1 - EPS);
        NDArray oneHot = labels.toType(DataType.INT64, false)
                .oneHot((int) cos.getShape().get(1))
                .toType(cos.getDataType(), false);
        return cos.acos()
                .add(oneHot.mul(Owned.scalar(cos, margin)))
                .clip(EPS, Math.PI - EPS)
                .cos()
                .mul(Owned.scalar(cos, scale));
    }

    @Override
    public HeadKind kind() {
        return HeadKind.ARCFACE;
    }
}

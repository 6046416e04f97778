package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.facestream.trainer.torch.Owned;

/** CosFace (reference §1.3): target logit {@code s·(cos_y − m)}, others {@code s·cos_j}. */
public record CosFaceHead(double margin, double scale) implements MarginHead {
    public static final CosFaceHead DEFAULT = new CosFaceHead(0.4, 64);
    private static final double EPS = 1e-4;

    @Override
    public NDArray logits(NDArray cosine, NDArray norms, NDArray labels, boolean training) {
        NDArray cos = cosine.clip(-1 + EPS, 1 - EPS);
        NDArray oneHot = labels.toType(DataType.INT64, false)
                .oneHot((int) cos.getShape().get(1))
                .toType(cos.getDataType(), false);
        return cos.sub(oneHot.mul(Owned.scalar(cos, margin))).mul(Owned.scalar(cos, scale));
    }

    @Override
    public HeadKind kind() {
        return HeadKind.COSFACE;
    }
}

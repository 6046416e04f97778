package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Embedding → loss: split the backbone's raw feature f into u = f/‖f‖ and ‖f‖, take cosines against the class
 * centres, let the head add its margin, then mean cross-entropy (reference §1.1).
 */
public final class MarginLoss {
    private final MarginHead head;
    private final ClassCentres centres;

    public MarginLoss(MarginHead head, ClassCentres centres) {
        this.head = head;
        this.centres = centres;
    }

    /** @return {loss (scalar), norms [B,1]} */
    public NDList forward(NDArray features, NDArray labels, boolean training) {
        NDArray norms = features.norm(new int[] {1}, true);
        NDArray u = features.div(norms);
        NDArray logits = head.logits(centres.cosine(u), norms, labels, training);
        return new NDList(crossEntropy(logits, labels), norms);
    }

    /** Mean over the batch of −log softmax(logits)[label]. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray oneHot = labels.toType(DataType.INT64, false)
                .oneHot((int) logits.getShape().get(1))
                .toType(logits.getDataType(), false);
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
    }

    public MarginHead head() {
        return head;
    }

    public ClassCentres centres() {
        return centres;
    }
}

package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;

/**
 * A margin head (AdaFace reference §1): turns the cosines between L2-normalised embeddings and the class centres into
 * logits for cross-entropy, adding a margin to the target column only.
 */
public sealed interface MarginHead permits AdaFaceHead, ArcFaceHead, CosFaceHead {

    /**
     * @param cosine   [B,C] cosines {@code u · Ŵ}
     * @param norms    [B,1] feature norms ‖f‖ (only AdaFace reads them; never differentiated)
     * @param labels   [B] integer class indices
     * @param training whether this is a training step (AdaFace updates its norm statistics only then)
     * @return [B,C] logits
     */
    NDArray logits(NDArray cosine, NDArray norms, NDArray labels, boolean training);

    HeadKind kind();

    /** The head's persistent state for the checkpoint; heads without state return {@link NormStatistics#NONE}. */
    default NormStatistics statistics() {
        return NormStatistics.NONE;
    }

    /** Builds a head of the given kind with the reference's published hyper-parameters. */
    static MarginHead of(HeadKind kind, NormStatistics restored) {
        return switch (kind) {
            case ADAFACE ->
                new AdaFaceHead(
                        AdaFaceHead.Parameters.PAPER,
                        restored == null || restored == NormStatistics.NONE
                                ? NormStatistics.ADAFACE_INITIAL
                                : restored);
            case ARCFACE -> ArcFaceHead.DEFAULT;
            case COSFACE -> CosFaceHead.DEFAULT;
        };
    }
}

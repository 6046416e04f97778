package io.facestream.embed.model.convert.fuse;

import io.facestream.embed.model.convert.lower.LoweringContext;
import java.util.Set;

/**
 * A multi-op TFLite idiom recognised as one ONNX op. The converter emits it when it reaches {@link #anchor()} (the
 * pattern's last op, by which time every input exists) and skips the other {@link #covered()} ops.
 */
public sealed interface FusedOp permits PreluFusion.Prelu, SoftmaxFusion.Softmax {
    /** Index of the pattern's last TFLite op. */
    int anchor();

    /** Indices of every TFLite op the pattern replaces, the anchor included. */
    Set<Integer> covered();

    /** Short name for reports, e.g. "prelu(relu+neg)" or "softmax". */
    String pattern();

    void lower(LoweringContext ctx);
}

package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * TensorFlow's SAME/VALID padding for one 2-D window op, expressed as ONNX attributes.
 *
 * <p>TF SAME means {@code out = ceil(in / stride)} with {@code total = max((out-1)*stride + k_eff - in, 0)} and the odd
 * pixel at the END (bottom/right), i.e. ONNX {@code SAME_UPPER}. With static input sizes the exact asymmetric pads
 * are written; with a dynamic size (pnet's H and W) the deprecated-but-supported {@code auto_pad=SAME_UPPER} is used,
 * unless the padding is provably zero (1×1 stride 1), in which case no padding attribute is needed at all.
 */
record TfPadding(boolean same, int[] pads, boolean auto) {
    /** TFLite {@code Padding} enum codes. */
    static final int SAME = 0, VALID = 1;

    static TfPadding of(int code, long inH, long inW, int kH, int kW, int sH, int sW, int dH, int dW) {
        if (code == VALID) {
            return new TfPadding(false, new int[4], false);
        }
        if (code != SAME) {
            throw new IllegalArgumentException("padding code " + code);
        }
        int effH = (kH - 1) * dH + 1;
        int effW = (kW - 1) * dW + 1;
        boolean zeroAnyway = effH == 1 && effW == 1 && sH == 1 && sW == 1;
        if (zeroAnyway) {
            return new TfPadding(true, new int[4], false);
        }
        if (inH < 0 || inW < 0) {
            return new TfPadding(true, null, true);
        }
        int totalH = total(inH, effH, sH);
        int totalW = total(inW, effW, sW);
        return new TfPadding(true, new int[] {totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2}, false);
    }

    private static int total(long in, int eff, int stride) {
        long out = ceilDiv(in, stride);
        return (int) Math.max((out - 1) * stride + eff - in, 0);
    }

    /** Output size along one axis ({@code -1} stays dynamic). */
    static long outSize(long in, int k, int stride, int dilation, boolean same) {
        if (in < 0) {
            return -1;
        }
        int eff = (k - 1) * dilation + 1;
        return same ? ceilDiv(in, stride) : ceilDiv(in - eff + 1, stride);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    List<Onnx.AttributeProto> attributes() {
        if (auto) {
            return List.of(OnnxGraphBuilder.string("auto_pad", "SAME_UPPER"));
        }
        return List.of(OnnxGraphBuilder.ints("pads", pads));
    }
}

package io.facestream.embed.model.convert.lower;

/**
 * How an ONNX value holds a TFLite tensor. TFLite activations are NHWC; ONNX convolutions and pools want NCHW, so
 * every 4-D activation is kept transposed inside the graph and only the graph boundary sees NHWC.
 */
public enum Layout {
    /** A 4-D TFLite tensor [N,H,W,C] held as [N,C,H,W]. */
    NCHW,
    /** Same axis order as in TFLite (anything that is not a 4-D activation). */
    AS_IS;

    /** TFLite (NHWC) axis → axis of the NCHW value. */
    public static int nchwAxis(int nhwcAxis) {
        return switch (nhwcAxis) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 1;
            default -> throw new IllegalArgumentException("axis " + nhwcAxis + " of a 4-D tensor");
        };
    }
}

package io.facestream.embed.model.convert.lower;

/**
 * An ONNX value standing for a TFLite tensor.
 *
 * @param name   ONNX value name
 * @param layout how the value's axes relate to the TFLite tensor's
 * @param shape  the shape in TFLite (NHWC) axis order, -1 for a dynamic dimension
 */
public record Value(String name, Layout layout, long[] shape) {
    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }
}

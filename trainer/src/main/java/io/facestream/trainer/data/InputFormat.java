package io.facestream.trainer.data;

import ai.djl.ndarray.types.Shape;
import io.facestream.embed.model.ModelManifest;

/**
 * How the network wants its pixels, from the model manifest: side, NCHW or NHWC, RGB or BGR, and
 * {@code (p − mean[c]) / std[c]} per network channel. Training feeds exactly what inference feeds.
 */
public record InputFormat(int size, boolean channelsFirst, boolean bgr, float[] mean, float[] std) {

    public static InputFormat of(ModelManifest.Input input) {
        if (input.width() != input.height() || input.width() <= 0) {
            throw new IllegalArgumentException(
                    "trainer needs a fixed square input, manifest says " + input.width() + "x" + input.height());
        }
        return new InputFormat(
                input.width(),
                !"NHWC".equalsIgnoreCase(input.layout()),
                input.colorOrder() == ModelManifest.ColorOrder.BGR,
                input.mean(),
                input.std());
    }

    public Shape shape(int batch) {
        return channelsFirst ? new Shape(batch, 3, size, size) : new Shape(batch, size, size, 3);
    }

    /** Writes image {@code slot} of a batch buffer. */
    public void write(FaceImage image, float[] batch, int slot) {
        if (image.size() != size) {
            throw new IllegalArgumentException(
                    "image side " + image.size() + " does not match the model input " + size);
        }
        byte[] px = image.rgb();
        int plane = size * size;
        int base = slot * plane * 3;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                int src = bgr ? 2 - c : c;
                float v = ((px[p * 3 + src] & 0xFF) - mean[c]) / std[c];
                batch[channelsFirst ? base + c * plane + p : base + p * 3 + c] = v;
            }
        }
    }
}

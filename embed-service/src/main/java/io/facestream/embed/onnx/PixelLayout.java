package io.facestream.embed.onnx;

import io.facestream.embed.model.ModelManifest;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * How a model wants pixels, from its manifest: tensor axis order, channel order and per-channel normalisation. The
 * layout is any permutation of the letters N, C, H, W ({@code NCHW}, {@code NHWC}, or {@code NWHC} for the
 * Caffe-derived MTCNN nets that were trained on transposed, column-major images), so no model name is special-cased.
 */
public final class PixelLayout {
    private final String layout;
    private final ModelManifest.ColorOrder colorOrder;
    private final int axisN;
    private final int axisC;
    private final int axisH;
    private final int axisW;
    /** lut[networkChannel][pixelValue] = (value - mean) / std, exact and branch-free in the packing loop. */
    private final float[][] lut = new float[3][256];

    public PixelLayout(String layout, ModelManifest.ColorOrder colorOrder, float[] mean, float[] std, String model) {
        String l = layout == null ? "" : layout.toUpperCase(Locale.ROOT);
        if (l.length() != 4
                || l.chars().distinct().count() != 4
                || !l.chars().allMatch(ch -> "NCHW".indexOf(ch) >= 0)) {
            throw new IllegalArgumentException(
                    "model " + model + ": input layout '" + layout + "' is not a permutation of NCHW");
        }
        if (l.charAt(0) != 'N') {
            throw new IllegalArgumentException(
                    "model " + model + ": input layout '" + layout + "' must start with the batch axis N");
        }
        if (colorOrder == null || mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException(
                    "model " + model + ": manifest input needs color_order and 3-element mean and std");
        }
        this.layout = l;
        this.colorOrder = colorOrder;
        this.axisN = l.indexOf('N');
        this.axisC = l.indexOf('C');
        this.axisH = l.indexOf('H');
        this.axisW = l.indexOf('W');
        for (int c = 0; c < 3; c++) {
            if (!(std[c] != 0) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException(
                        "model " + model + ": invalid normalisation mean=" + mean[c] + " std=" + std[c]);
            }
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (v - mean[c]) / std[c];
            }
        }
    }

    public static PixelLayout of(ModelManifest manifest) {
        ModelManifest.Input in = manifest.input();
        if (in == null) {
            throw new IllegalArgumentException("model " + manifest.id() + ": manifest has no input section");
        }
        return new PixelLayout(in.layout(), in.colorOrder(), in.mean(), in.std(), manifest.id());
    }

    public String layout() {
        return layout;
    }

    /** Index of axis 'N', 'C', 'H' or 'W' in tensors of this layout (outputs of fully convolutional nets share it). */
    public int axis(char letter) {
        int a = layout.indexOf(Character.toUpperCase(letter));
        if (a < 0) {
            throw new IllegalArgumentException("no axis " + letter + " in layout " + layout);
        }
        return a;
    }

    /** True when channels are the last axis (then outputs of fully convolutional nets are channels-last too). */
    public boolean channelsLast() {
        return axisC == 3;
    }

    /** True when the network's spatial axes are W before H (transposed images). */
    public boolean transposed() {
        return axisW < axisH;
    }

    /** Tensor shape for a batch of n images of h×w. */
    public long[] shape(int n, int h, int w) {
        long[] s = new long[4];
        s[axisN] = n;
        s[axisC] = 3;
        s[axisH] = h;
        s[axisW] = w;
        return s;
    }

    /**
     * Like {@link #pack(Mat, float[], int)} into a (direct) buffer, with the pixel bytes read through {@code scratch}
     * when it is large enough, so a caller that keeps its buffers allocates nothing per image.
     *
     * @return the scratch array used (a bigger one when {@code scratch} was too small): keep it for the next call
     */
    public byte[] pack(Mat bgr, java.nio.FloatBuffer dst, int n, byte[] scratch) {
        int h = bgr.rows();
        int w = bgr.cols();
        if (bgr.channels() != 3 || bgr.depth() != org.bytedeco.opencv.global.opencv_core.CV_8U) {
            throw new IllegalArgumentException(
                    "expected an 8-bit 3-channel image, got " + bgr.channels() + " channels depth " + bgr.depth());
        }
        int bytes = h * w * 3;
        byte[] px = scratch != null && scratch.length >= bytes ? scratch : new byte[bytes];
        if (bgr.isContinuous()) {
            bgr.data().get(px, 0, bytes);
        } else {
            try (Mat copy = bgr.clone()) {
                copy.data().get(px, 0, bytes);
            }
        }
        long[] shape = shape(1, h, w);
        long[] stride = new long[4];
        stride[3] = 1;
        for (int a = 2; a >= 0; a--) {
            stride[a] = stride[a + 1] * shape[a + 1];
        }
        int sH = (int) stride[axisH];
        int sW = (int) stride[axisW];
        int sC = (int) stride[axisC];
        int base = n * (int) stride[axisN];
        int c0 = colorOrder == ModelManifest.ColorOrder.BGR ? 0 : 2;
        int c2 = 2 - c0;
        float[] l0 = lut[c0];
        float[] l1 = lut[1];
        float[] l2 = lut[c2];
        int i = 0;
        for (int y = 0; y < h; y++) {
            int rowBase = base + y * sH;
            for (int x = 0; x < w; x++) {
                int pixBase = rowBase + x * sW;
                dst.put(pixBase + c0 * sC, l0[px[i] & 0xFF]);
                dst.put(pixBase + sC, l1[px[i + 1] & 0xFF]);
                dst.put(pixBase + c2 * sC, l2[px[i + 2] & 0xFF]);
                i += 3;
            }
        }
        return px;
    }

    /** Writes one 8-bit BGR image into batch slot {@code n} of {@code dst}, shaped {@link #shape}. */
    public void pack(Mat bgr, float[] dst, int n) {
        int h = bgr.rows();
        int w = bgr.cols();
        if (bgr.channels() != 3 || bgr.depth() != org.bytedeco.opencv.global.opencv_core.CV_8U) {
            throw new IllegalArgumentException(
                    "expected an 8-bit 3-channel image, got " + bgr.channels() + " channels depth " + bgr.depth());
        }
        byte[] px = new byte[h * w * 3];
        if (bgr.isContinuous()) {
            bgr.data().get(px);
        } else {
            try (Mat copy = bgr.clone()) {
                copy.data().get(px);
            }
        }
        long[] shape = shape(1, h, w);
        long[] stride = new long[4];
        stride[3] = 1;
        for (int a = 2; a >= 0; a--) {
            stride[a] = stride[a + 1] * shape[a + 1];
        }
        int sH = (int) stride[axisH];
        int sW = (int) stride[axisW];
        int sC = (int) stride[axisC];
        int base = n * (int) stride[axisN];
        // source channel s (B=0, G=1, R=2) lands in network channel c
        int[] netChannel = colorOrder == ModelManifest.ColorOrder.BGR ? new int[] {0, 1, 2} : new int[] {2, 1, 0};
        int i = 0;
        for (int y = 0; y < h; y++) {
            int rowBase = base + y * sH;
            for (int x = 0; x < w; x++) {
                int pixBase = rowBase + x * sW;
                for (int s = 0; s < 3; s++) {
                    int c = netChannel[s];
                    dst[pixBase + c * sC] = lut[c][px[i++] & 0xFF];
                }
            }
        }
    }
}

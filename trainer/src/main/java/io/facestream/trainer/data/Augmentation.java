package io.facestream.trainer.data;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LANCZOS4;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;

import java.util.SplittableRandom;

/**
 * AdaFace's training augmentations (reference §4.2), per sample and in this order, each gated by
 * {@code random < p}: zero-padding random crop, low resolution, photometric jitter, then a horizontal flip with
 * probability 0.5. The published runs use 0.2 for the first three ({@link #PAPER}).
 *
 * @param crop        probability of the in-place random crop (outside set to 0)
 * @param lowRes      probability of the down/up resize
 * @param photometric probability of the brightness/contrast/saturation jitter
 * @param flip        probability of the horizontal flip
 */
public record Augmentation(double crop, double lowRes, double photometric, double flip) {
    public static final Augmentation PAPER = new Augmentation(0.2, 0.2, 0.2, 0.5);
    public static final Augmentation NONE = new Augmentation(0, 0, 0, 0);

    private static final int[] INTERPOLATIONS = {INTER_NEAREST, INTER_LINEAR, INTER_AREA, INTER_CUBIC, INTER_LANCZOS4};

    /** Applies the gated augmentations to {@code image} in place, drawing everything from {@code rnd}. */
    public void apply(FaceImage image, SplittableRandom rnd) {
        if (rnd.nextDouble() < crop) {
            randomCrop(image, rnd);
        }
        if (rnd.nextDouble() < lowRes) {
            double r = 0.2 + 0.8 * rnd.nextDouble();
            int side = Math.max(1, (int) Math.floor(r * image.size()));
            ImageCodec.degrade(image, side, INTERPOLATIONS[rnd.nextInt(5)], INTERPOLATIONS[rnd.nextInt(5)]);
        }
        if (rnd.nextDouble() < photometric) {
            jitter(image, rnd);
        }
        if (rnd.nextDouble() < flip) {
            mirror(image);
        }
    }

    /** torchvision RandomResizedCrop.get_params (scale [0.2, 1], ratio [3/4, 4/3], 10 tries), kept in place. */
    static void randomCrop(FaceImage image, SplittableRandom rnd) {
        int n = image.size();
        double area = (double) n * n;
        int top = 0;
        int left = 0;
        int h = n;
        int w = n;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (0.2 + 0.8 * rnd.nextDouble());
            double ratio = Math.exp(Math.log(3.0 / 4) + rnd.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4)));
            int cw = (int) Math.rint(Math.sqrt(target * ratio));
            int ch = (int) Math.rint(Math.sqrt(target / ratio));
            if (cw > 0 && cw <= n && ch > 0 && ch <= n) {
                top = rnd.nextInt(n - ch + 1);
                left = rnd.nextInt(n - cw + 1);
                h = ch;
                w = cw;
                break;
            }
        }
        byte[] px = image.rgb();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (y < top || y >= top + h || x < left || x >= left + w) {
                    int o = (y * n + x) * 3;
                    px[o] = 0;
                    px[o + 1] = 0;
                    px[o + 2] = 0;
                }
            }
        }
    }

    /**
     * ColorJitter(brightness 0.5, contrast 0.5, saturation 0.5, hue 0) as PIL's ImageEnhance computes it on 8-bit
     * images: factors U(0.5, 1.5), the three applied in a random order (hue is part of the permutation but skipped).
     */
    static void jitter(FaceImage image, SplittableRandom rnd) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double brightness = 0.5 + rnd.nextDouble();
        double contrast = 0.5 + rnd.nextDouble();
        double saturation = 0.5 + rnd.nextDouble();
        byte[] px = image.rgb();
        for (int op : order) {
            switch (op) {
                case 0 -> blend(px, brightness, i -> 0);
                case 1 -> {
                    double sum = 0;
                    for (int i = 0; i < px.length; i += 3) {
                        sum += grey(px, i);
                    }
                    int mean = (int) (sum / (px.length / 3) + 0.5);
                    blend(px, contrast, i -> mean);
                }
                case 2 -> {
                    int[] grey = new int[px.length / 3];
                    for (int i = 0; i < px.length; i += 3) {
                        grey[i / 3] = grey(px, i);
                    }
                    blend(px, saturation, i -> grey[i / 3]);
                }
                default -> {} // hue = 0: no-op, but it still takes a place in the order
            }
        }
    }

    /** PIL "L" conversion: (299 R + 587 G + 114 B) / 1000. */
    private static int grey(byte[] px, int i) {
        return ((px[i] & 0xFF) * 299 + (px[i + 1] & 0xFF) * 587 + (px[i + 2] & 0xFF) * 114) / 1000;
    }

    /** PIL Image.blend(degenerate, image, f) = degenerate·(1 − f) + image·f, rounded and clamped to 8 bits. */
    private static void blend(byte[] px, double f, java.util.function.IntUnaryOperator degenerate) {
        for (int i = 0; i < px.length; i++) {
            double d = degenerate.applyAsInt(i);
            int v = (int) Math.round(d + f * ((px[i] & 0xFF) - d));
            px[i] = (byte) Math.max(0, Math.min(255, v));
        }
    }

    static void mirror(FaceImage image) {
        int n = image.size();
        byte[] px = image.rgb();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n / 2; x++) {
                int a = (y * n + x) * 3;
                int b = (y * n + (n - 1 - x)) * 3;
                for (int c = 0; c < 3; c++) {
                    byte t = px[a + c];
                    px[a + c] = px[b + c];
                    px[b + c] = t;
                }
            }
        }
    }
}

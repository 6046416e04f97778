package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_core.subtract;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * What a cheap surveillance camera does to a frame: defocus blur, slowly drifting and flickering light, and sensor
 * noise; the x264 compression that follows adds block artefacts. Strengths are drawn per video; noise comes from a
 * pre-drawn field shifted randomly each frame (drawing fresh Gaussian noise per pixel per frame would dominate the
 * run time), so a seed reproduces every frame exactly.
 */
public final class Degradation implements AutoCloseable {
    private static final int MARGIN = 32;

    private final double blurSigma;
    private final double lightBase;
    private final double lightSwing;
    private final double lightPeriod;
    private final double lightPhase;
    private final Mat noiseUp;
    private final Mat noiseDown;
    private final SplittableRandom rnd;

    public Degradation(int width, int height, SplittableRandom rnd) {
        this.rnd = rnd;
        blurSigma = 0.4 + 1.2 * rnd.nextDouble();
        lightBase = 0.75 + 0.4 * rnd.nextDouble();
        lightSwing = 0.1 + 0.2 * rnd.nextDouble();
        lightPeriod = 40 + 80 * rnd.nextDouble();
        lightPhase = rnd.nextDouble() * 2 * Math.PI;
        double noiseSigma = 2 + 6 * rnd.nextDouble();
        noiseUp = new Mat(height + MARGIN, width + MARGIN, CV_8UC3);
        noiseDown = new Mat(height + MARGIN, width + MARGIN, CV_8UC3);
        try (UByteIndexer up = noiseUp.createIndexer();
                UByteIndexer down = noiseDown.createIndexer()) {
            for (int y = 0; y < height + MARGIN; y++) {
                for (int x = 0; x < width + MARGIN; x++) {
                    for (int c = 0; c < 3; c++) {
                        int v = (int) Math.round(nextGaussian(rnd) * noiseSigma);
                        up.put(y, x, c, Math.max(0, Math.min(255, v)));
                        down.put(y, x, c, Math.max(0, Math.min(255, -v)));
                    }
                }
            }
        }
    }

    private static double nextGaussian(SplittableRandom rnd) {
        // Box–Muller, so the values do not depend on a JDK's nextGaussian algorithm.
        double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public void apply(Mat frame, int index) {
        if (blurSigma > 0.5) {
            GaussianBlur(frame, frame, new Size(0, 0), blurSigma);
        }
        double flicker = rnd.nextDouble() < 0.03 ? 0.15 * (rnd.nextDouble() - 0.5) : 0;
        double light =
                lightBase * (1 + lightSwing * Math.sin(lightPhase + 2 * Math.PI * index / lightPeriod)) + flicker;
        frame.convertTo(frame, -1, light, 0);
        int dx = rnd.nextInt(MARGIN), dy = rnd.nextInt(MARGIN);
        Rect view = new Rect(dx, dy, frame.cols(), frame.rows());
        try (Mat up = new Mat(noiseUp, view);
                Mat down = new Mat(noiseDown, view)) {
            add(frame, up, frame);
            subtract(frame, down, frame);
        }
    }

    public double blurSigma() {
        return blurSigma;
    }

    @Override
    public void close() {
        noiseUp.close();
        noiseDown.close();
    }
}

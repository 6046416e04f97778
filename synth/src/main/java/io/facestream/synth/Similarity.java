package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A 2-D similarity transform {@code x' = a·x − b·y + tx, y' = b·x + a·y + ty} (scale·rotation plus shift): the only
 * kind of map the generator uses to place a canonical face, so landmarks and boxes follow the pixels exactly.
 */
public record Similarity(double a, double b, double tx, double ty) {

    public static Similarity of(double scale, double angleRad, double tx, double ty) {
        return new Similarity(scale * Math.cos(angleRad), scale * Math.sin(angleRad), tx, ty);
    }

    /** The transform taking {@code (p1, p2)} onto {@code (q1, q2)}: two points fix a similarity exactly. */
    public static Similarity fromTwoPoints(
            double p1x, double p1y, double p2x, double p2y, double q1x, double q1y, double q2x, double q2y) {
        double dpx = p2x - p1x, dpy = p2y - p1y, dqx = q2x - q1x, dqy = q2y - q1y;
        double den = dpx * dpx + dpy * dpy;
        if (den < 1e-12) {
            throw new IllegalArgumentException("the two source points coincide");
        }
        double a = (dqx * dpx + dqy * dpy) / den;
        double b = (dqy * dpx - dqx * dpy) / den;
        return new Similarity(a, b, q1x - (a * p1x - b * p1y), q1y - (b * p1x + a * p1y));
    }

    public double scale() {
        return Math.hypot(a, b);
    }

    public double x(double x, double y) {
        return a * x - b * y + tx;
    }

    public double y(double x, double y) {
        return b * x + a * y + ty;
    }

    /** Maps interleaved {@code x0,y0,x1,y1,…} points. */
    public double[] apply(double[] xy) {
        double[] out = new double[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = x(xy[i], xy[i + 1]);
            out[i + 1] = y(xy[i], xy[i + 1]);
        }
        return out;
    }

    /** This transform followed by a shift (used to draw into a region of interest). */
    public Similarity shifted(double dx, double dy) {
        return new Similarity(a, b, tx + dx, ty + dy);
    }

    /** The 2×3 matrix OpenCV's {@code warpAffine} takes. The caller closes it. */
    public Mat toMat() {
        Mat m = new Mat(2, 3, CV_64F);
        try (DoubleIndexer ix = m.createIndexer()) {
            ix.put(0, 0, a).put(0, 1, -b).put(0, 2, tx);
            ix.put(1, 0, b).put(1, 1, a).put(1, 2, ty);
        }
        return m;
    }
}

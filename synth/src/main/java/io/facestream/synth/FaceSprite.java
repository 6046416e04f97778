package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;
import static org.bytedeco.opencv.global.opencv_imgproc.getPerspectiveTransform;
import static org.bytedeco.opencv.global.opencv_imgproc.pyrDown;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;
import static org.bytedeco.opencv.global.opencv_imgproc.warpPerspective;

import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A face ready to paste: the canonical picture of one identity under one {@link Appearance}, with a soft oval alpha
 * mask and its landmarks, pre-shrunk into a small pyramid so that a 16-pixel face is drawn from a 20-pixel source
 * instead of aliasing down from 160.
 */
public final class FaceSprite implements AutoCloseable {
    private static final int LEVELS = 4;

    private final Mat[] bgr = new Mat[LEVELS];
    private final Mat[] alpha = new Mat[LEVELS];
    private final double[] landmarks;

    public FaceSprite(Look look, Appearance appearance) {
        int s = Canonical.SIZE;
        double f = appearance.yaw();
        double c0 = s * Math.abs(f) / 4;
        double hl = s / 2.0 * (1 - f), hr = s / 2.0 * (1 + f);
        Mat persp;
        try (Mat src = corners(0, 0, s, 0, s, s, 0, s);
                Mat dst = corners(c0, s / 2.0 - hl, s - c0, s / 2.0 - hr, s - c0, s / 2.0 + hr, c0, s / 2.0 + hl)) {
            persp = getPerspectiveTransform(src, dst);
        }
        Mat face = new Mat();
        warpPerspective(look.face(), face, persp, new Size(s, s), INTER_LINEAR, BORDER_REPLICATE, new Scalar());
        relight(face, appearance);
        Mat mask = ovalMask();
        Mat warpedMask = new Mat();
        warpPerspective(mask, warpedMask, persp, new Size(s, s), INTER_LINEAR, BORDER_CONSTANT, new Scalar());
        mask.close();
        landmarks = project(persp, look.landmarks());
        persp.close();
        bgr[0] = face;
        alpha[0] = warpedMask;
        for (int l = 1; l < LEVELS; l++) {
            bgr[l] = new Mat();
            alpha[l] = new Mat();
            pyrDown(bgr[l - 1], bgr[l]);
            pyrDown(alpha[l - 1], alpha[l]);
        }
    }

    /** Landmarks in canonical coordinates after the head turn. */
    public double[] landmarks() {
        return landmarks.clone();
    }

    /**
     * Pastes the face into {@code frame} (BGR, 8-bit) through {@code toFrame} (canonical → frame coordinates),
     * choosing the pyramid level so the warp never shrinks by more than 2×.
     */
    public void draw(Mat frame, Similarity toFrame) {
        double scale = toFrame.scale();
        int level = 0;
        while (level < LEVELS - 1 && scale * (1 << (level + 1)) <= 1.0) {
            level++;
        }
        double k = 1 << level, c = (k - 1) / 2;
        Similarity fromLevel = new Similarity(
                toFrame.a() * k,
                toFrame.b() * k,
                toFrame.tx() + (toFrame.a() - toFrame.b()) * c,
                toFrame.ty() + (toFrame.b() + toFrame.a()) * c);
        Mat src = bgr[level], a = alpha[level];
        double n = src.cols();
        double[] cs = fromLevel.apply(new double[] {0, 0, n, 0, n, n, 0, n});
        int x0 = (int) Math.floor(Math.min(Math.min(cs[0], cs[2]), Math.min(cs[4], cs[6])));
        int y0 = (int) Math.floor(Math.min(Math.min(cs[1], cs[3]), Math.min(cs[5], cs[7])));
        int x1 = (int) Math.ceil(Math.max(Math.max(cs[0], cs[2]), Math.max(cs[4], cs[6])));
        int y1 = (int) Math.ceil(Math.max(Math.max(cs[1], cs[3]), Math.max(cs[5], cs[7])));
        x0 = Math.max(0, x0);
        y0 = Math.max(0, y0);
        x1 = Math.min(frame.cols(), x1);
        y1 = Math.min(frame.rows(), y1);
        if (x1 <= x0 || y1 <= y0) {
            return;
        }
        Size size = new Size(x1 - x0, y1 - y0);
        Similarity roiMap = fromLevel.shifted(-x0, -y0);
        try (Mat m = roiMap.toMat();
                Mat face = new Mat();
                Mat weight = new Mat();
                Mat roi = new Mat(frame, new Rect(x0, y0, x1 - x0, y1 - y0))) {
            warpAffine(src, face, m, size, INTER_LINEAR, BORDER_REPLICATE, new Scalar());
            warpAffine(a, weight, m, size, INTER_LINEAR, BORDER_CONSTANT, new Scalar());
            blend(roi, face, weight);
        }
    }

    private static void blend(Mat roi, Mat face, Mat weight) {
        try (UByteIndexer r = roi.createIndexer();
                UByteIndexer f = face.createIndexer();
                FloatIndexer w = weight.createIndexer()) {
            for (int y = 0; y < roi.rows(); y++) {
                for (int x = 0; x < roi.cols(); x++) {
                    float a = w.get(y, x);
                    if (a <= 0f) {
                        continue;
                    }
                    for (int ch = 0; ch < 3; ch++) {
                        double v = r.get(y, x, ch) * (1 - a) + f.get(y, x, ch) * a;
                        r.put(y, x, ch, (int) Math.round(v));
                    }
                }
            }
        }
    }

    private static void relight(Mat face, Appearance ap) {
        int s = face.cols();
        double[] cast = {ap.castB(), 1, ap.castR()};
        try (UByteIndexer ix = face.createIndexer()) {
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    double light = ap.gain() * (1 + ap.sideLight() * (x - s / 2.0) / s);
                    for (int ch = 0; ch < 3; ch++) {
                        int v = (int) Math.round(ix.get(y, x, ch) * light * cast[ch]);
                        ix.put(y, x, ch, Math.max(0, Math.min(255, v)));
                    }
                }
            }
        }
    }

    /** The face oval (forehead to chin, cheek to cheek) with a feathered edge, as float weights 0…1. */
    private static Mat ovalMask() {
        int s = Canonical.SIZE;
        Mat mask = new Mat(s, s, CV_32F, new Scalar(0));
        ellipse(mask, new Point(s / 2, 86), new Size(47, 62), 0, 0, 360, new Scalar(1), FILLED, LINE_AA, 0);
        GaussianBlur(mask, mask, new Size(0, 0), 3.0);
        return mask;
    }

    private static Mat corners(double... xy) {
        Mat m = new Mat(4, 1, org.bytedeco.opencv.global.opencv_core.CV_32FC2);
        try (FloatIndexer ix = m.createIndexer()) {
            for (int i = 0; i < 4; i++) {
                ix.put(i, 0, 0, (float) xy[2 * i]);
                ix.put(i, 0, 1, (float) xy[2 * i + 1]);
            }
        }
        return m;
    }

    private static double[] project(Mat h, double[] xy) {
        double[] out = new double[xy.length];
        try (org.bytedeco.javacpp.indexer.DoubleIndexer ix = h.createIndexer()) {
            for (int i = 0; i < xy.length; i += 2) {
                double x = xy[i], y = xy[i + 1];
                double w = ix.get(2, 0) * x + ix.get(2, 1) * y + ix.get(2, 2);
                out[i] = (ix.get(0, 0) * x + ix.get(0, 1) * y + ix.get(0, 2)) / w;
                out[i + 1] = (ix.get(1, 0) * x + ix.get(1, 1) * y + ix.get(1, 2)) / w;
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (int l = 0; l < LEVELS; l++) {
            bgr[l].close();
            alpha[l].close();
        }
    }
}

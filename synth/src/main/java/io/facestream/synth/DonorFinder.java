package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Finds frontal faces in photographs and aligns them into the canonical frame. Faces come from OpenCV's Haar
 * cascades (shipped in the OpenCV native jar) and the eyes from the eye cascade inside the face's upper half; a face
 * whose two eyes are not found plausibly is skipped rather than guessed, because a badly aligned donor would blur
 * every identity blended from it.
 */
public final class DonorFinder {
    /** A total order on {x, y, width, height} boxes. */
    private static final Comparator<int[]> BOX_ORDER = Comparator.<int[]>comparingInt(b -> b[0])
            .thenComparingInt(b -> b[1])
            .thenComparingInt(b -> b[2])
            .thenComparingInt(b -> b[3]);

    private static final String CASCADES =
            "/org/bytedeco/opencv/" + Loader.getPlatform() + "/share/opencv4/haarcascades/";

    private final CascadeClassifier faces;
    private final CascadeClassifier eyes;
    private final int minFace;

    /** @param minFace smallest face (Haar box side, px) worth using: smaller donors make blurry identities */
    public DonorFinder(int minFace) {
        this.minFace = minFace;
        this.faces = cascade("haarcascade_frontalface_alt2.xml");
        this.eyes = cascade("haarcascade_eye.xml");
    }

    private static CascadeClassifier cascade(String name) {
        try {
            CascadeClassifier c =
                    new CascadeClassifier(Loader.cacheResource(CASCADES + name).getPath());
            if (c.empty()) {
                throw new IllegalStateException("OpenCV cascade " + name + " did not load");
            }
            return c;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot extract OpenCV cascade " + name, e);
        }
    }

    /** All usable faces of one photograph, in reading order (top to bottom, then left to right). */
    public List<DonorFace> find(Path photo) {
        Mat image = imread(photo.toString(), IMREAD_COLOR);
        if (image == null || image.empty()) {
            throw new IllegalArgumentException("cannot decode image " + photo);
        }
        List<DonorFace> out = new ArrayList<>();
        try (Mat gray = new Mat()) {
            cvtColor(image, gray, COLOR_BGR2GRAY);
            equalizeHist(gray, gray);
            RectVector found = new RectVector();
            faces.detectMultiScale(gray, found, 1.1, 4, 0, new Size(minFace, minFace), new Size());
            List<int[]> boxes = new ArrayList<>();
            for (long i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                boxes.add(new int[] {r.x(), r.y(), r.width(), r.height()});
            }
            // Rows of a contact sheet differ by more than half a face; sort by row band, then by x. The full key
            // matters: OpenCV returns detections in an order that depends on its thread scheduling, so ties must not
            // fall back to that order or donors (and every render built from them) change between runs.
            boxes.sort(Comparator.<int[]>comparingInt(b -> (b[1] + b[3] / 2) / Math.max(1, b[3]))
                    .thenComparing(DonorFinder.BOX_ORDER));
            int index = 0;
            for (int[] b : boxes) {
                double[] eyePair = eyes(gray, b);
                if (eyePair != null) {
                    out.add(new DonorFace(photo.getFileName() + "#" + index, align(image, eyePair)));
                }
                index++;
            }
        } finally {
            image.close();
        }
        return out;
    }

    /** Eye centres {lx, ly, rx, ry} in image coordinates, or null when no plausible pair is found. */
    private double[] eyes(Mat gray, int[] b) {
        int x = b[0], y = b[1], w = b[2], h = b[3];
        Rect upper = new Rect(x, y + h / 8, w, h / 2);
        try (Mat roi = new Mat(gray, upper)) {
            RectVector found = new RectVector();
            int min = Math.max(5, w / 10);
            eyes.detectMultiScale(roi, found, 1.05, 2, 0, new Size(min, min), new Size(w / 2, w / 2));
            // in a fixed order, so that equal-scoring pairs are resolved the same way every run
            List<int[]> candidates = new ArrayList<>();
            for (long i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                candidates.add(new int[] {r.x(), r.y(), r.width(), r.height()});
            }
            candidates.sort(BOX_ORDER);
            double[] best = null;
            double bestScore = Double.MAX_VALUE;
            for (int[] p : candidates) {
                for (int[] q : candidates) {
                    double px = x + p[0] + p[2] / 2.0, py = y + h / 8 + p[1] + p[3] / 2.0;
                    double qx = x + q[0] + q[2] / 2.0, qy = y + h / 8 + q[1] + q[3] / 2.0;
                    if (px >= qx || px > x + w / 2.0 || qx < x + w / 2.0) {
                        continue;
                    }
                    double dist = (qx - px) / w;
                    double tilt = Math.abs(qy - py) / (qx - px);
                    if (dist < 0.25 || dist > 0.55 || tilt > 0.25) {
                        continue;
                    }
                    // Prefer the pair closest to where eyes sit in a Haar face box (0.4 of the width apart, symmetric).
                    double score = Math.abs(dist - 0.4) + Math.abs((px + qx) / 2 - (x + w / 2.0)) / w + tilt;
                    if (score < bestScore) {
                        bestScore = score;
                        best = new double[] {px, py, qx, qy};
                    }
                }
            }
            return best;
        }
    }

    private static Mat align(Mat image, double[] e) {
        double[] t = Canonical.landmarks();
        Similarity s = Similarity.fromTwoPoints(e[0], e[1], e[2], e[3], t[0], t[1], t[2], t[3]);
        Mat out = new Mat();
        try (Mat m = s.toMat()) {
            warpAffine(
                    image,
                    out,
                    m,
                    new Size(Canonical.SIZE, Canonical.SIZE),
                    INTER_LINEAR,
                    BORDER_REPLICATE,
                    new Scalar());
        }
        return out;
    }
}

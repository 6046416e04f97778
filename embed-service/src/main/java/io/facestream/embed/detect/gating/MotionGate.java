package io.facestream.embed.detect.gating;

import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_RECT;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.dilate;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Where one camera's picture changed since its previous frame: frame differencing on a small grey copy (default
 * 160 px wide, where averaging over many pixels has already removed most sensor and compression noise), a
 * threshold, a dilation that joins the fragments of one moving person, and the bounding box of every connected
 * blob, scaled back to frame pixels. One instance per camera; not thread-safe.
 */
public final class MotionGate implements AutoCloseable {
    /** Dilation radius: blobs grow by this many small pixels on each side (a square of side 2 × DILATE + 1). */
    static final int DILATE = 2;

    private final int width;
    private final double threshold;
    private Mat previous;
    private int previousWidth;
    private int previousHeight;

    /**
     * @param width     width of the differenced grey frame (a narrower frame is used as it is)
     * @param threshold grey-level change that counts as motion
     */
    public MotionGate(int width, double threshold) {
        if (width < 16) {
            throw new IllegalArgumentException("motion width must be >= 16 px, got " + width);
        }
        this.width = width;
        this.threshold = threshold;
    }

    /**
     * The regions of {@code bgr} that changed since the frame given before it, in {@code bgr}'s pixels; none for the
     * first frame, or the first after a change of frame size (nothing to compare with). Always remembers the frame.
     */
    public List<Region> moved(Mat bgr) {
        int w = Math.min(width, bgr.cols());
        int h = Math.max(1, (int) Math.round(bgr.rows() * (double) w / bgr.cols()));
        Mat grey = new Mat();
        try (Mat small = new Mat();
                Size size = new Size(w, h)) {
            resize(bgr, small, size, 0, 0, INTER_AREA);
            cvtColor(small, grey, COLOR_BGR2GRAY);
        }
        Mat before = previous;
        boolean sameSize = previousWidth == bgr.cols() && previousHeight == bgr.rows();
        previous = grey;
        previousWidth = bgr.cols();
        previousHeight = bgr.rows();
        if (before == null) {
            return List.of();
        }
        try (before) {
            if (!sameSize) {
                return List.of();
            }
            return blobs(before, grey, bgr.cols() / (double) w, bgr.rows() / (double) h, bgr.cols(), bgr.rows());
        }
    }

    private List<Region> blobs(Mat before, Mat now, double sx, double sy, int frameW, int frameH) {
        try (Mat diff = new Mat();
                Mat mask = new Mat();
                Mat labels = new Mat();
                Mat stats = new Mat();
                Mat centroids = new Mat();
                Size k = new Size(2 * DILATE + 1, 2 * DILATE + 1);
                Mat kernel = getStructuringElement(MORPH_RECT, k)) {
            absdiff(before, now, diff);
            threshold(diff, mask, threshold, 255, THRESH_BINARY);
            dilate(mask, mask, kernel);
            int n = connectedComponentsWithStats(mask, labels, stats, centroids);
            List<Region> out = new ArrayList<>(Math.max(0, n - 1));
            try (IntIndexer s = stats.createIndexer()) {
                for (int i = 1; i < n; i++) { // label 0 is the unchanged background
                    int x = (int) s.get(i, 0);
                    int y = (int) s.get(i, 1);
                    int bw = (int) s.get(i, 2);
                    int bh = (int) s.get(i, 3);
                    Region r = Region.ofCorners(
                            (int) Math.floor(x * sx),
                            (int) Math.floor(y * sy),
                            Math.min(frameW, (int) Math.ceil((x + bw) * sx)),
                            Math.min(frameH, (int) Math.ceil((y + bh) * sy)));
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
            return out;
        }
    }

    /** Forgets the previous frame: the next one finds no motion. */
    public void reset() {
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }

    @Override
    public void close() {
        reset();
    }
}

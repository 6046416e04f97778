package io.facestream.embed.align;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.Point;
import java.util.List;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Warps a face to the 112×112 crop an embedder expects: similarity transform from its 5 landmarks onto the reference
 * template, bilinear, black outside the image (AdaFace's {@code warp_and_crop_face}).
 */
public final class FaceAligner {
    private final List<Point> reference;
    private final int size;

    public FaceAligner(List<Point> reference, int size) {
        this.reference = List.copyOf(reference);
        this.size = size;
    }

    public FaceAligner() {
        this(ReferenceLandmarks.ARCFACE_112, ReferenceLandmarks.SIZE);
    }

    public int size() {
        return size;
    }

    /** The aligned crop, same channel order as the input; the caller closes it. */
    public Mat align(Mat image, DetectedFace face) {
        return align(image, face.landmarks());
    }

    public Mat align(Mat image, List<Point> landmarks) {
        double[][] m = SimilarityTransform.estimate(landmarks, reference);
        Mat out = new Mat();
        try (Mat matrix = new Mat(2, 3, CV_64F);
                DoubleIndexer idx = matrix.createIndexer();
                Size dsize = new Size(size, size);
                Scalar black = new Scalar(0, 0, 0, 0)) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    idx.put(r, c, m[r][c]);
                }
            }
            warpAffine(image, out, matrix, dsize, INTER_LINEAR, BORDER_CONSTANT, black);
        }
        return out;
    }
}

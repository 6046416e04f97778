package io.facestream.ingest.source;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2BGR_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A decoded picture as a source hands it over: BGR from image files, or planar I420 (Y, then U, then V, as one
 * {@code height*3/2 x width} single-channel Mat) straight from the video decoder. Keeping the decoder's own layout lets
 * the colour conversion run on an encoder thread instead of the camera's decode thread.
 */
public record Picture(Mat mat, Layout layout) {
    public enum Layout {
        BGR,
        I420
    }

    public int width() {
        return mat.cols();
    }

    public int height() {
        return layout == Layout.I420 ? mat.rows() * 2 / 3 : mat.rows();
    }

    /** A copy that owns its pixels, for handing to another thread while the decoder reuses its buffer. */
    public Picture copy() {
        return new Picture(mat.clone(), layout);
    }

    /** The picture as BGR: itself, or a converted copy the caller must close. */
    public Mat toBgr() {
        if (layout == Layout.BGR) {
            return mat;
        }
        Mat bgr = new Mat();
        cvtColor(mat, bgr, COLOR_YUV2BGR_I420);
        return bgr;
    }
}

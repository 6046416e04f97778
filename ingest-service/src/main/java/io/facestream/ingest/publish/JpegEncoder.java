package io.facestream.ingest.publish;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.source.Picture;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * BGR image to JPEG bytes with OpenCV (libjpeg-turbo), downscaling first when the image is over the camera's size
 * limit. Stateless, so any encoder thread can run it.
 */
public final class JpegEncoder {
    private JpegEncoder() {}

    public static byte[] encode(Picture picture, CameraOptions options) {
        Mat bgr = picture.toBgr();
        try {
            return encode(bgr, options);
        } finally {
            if (bgr != picture.mat()) {
                bgr.close();
            }
        }
    }

    public static byte[] encode(Mat bgr, CameraOptions options) {
        int[] size = options.fit(bgr.cols(), bgr.rows());
        try (IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, options.jpegQuality());
                BytePointer buffer = new BytePointer();
                Mat scaled = new Mat()) {
            Mat image = bgr;
            if (size[0] != bgr.cols() || size[1] != bgr.rows()) {
                // INTER_AREA: the resampling that does not alias when shrinking
                try (Size target = new Size(size[0], size[1])) {
                    resize(bgr, scaled, target, 0, 0, INTER_AREA);
                }
                image = scaled;
            }
            if (!imencode(".jpg", image, buffer, params)) {
                throw new IllegalStateException(
                        "OpenCV could not JPEG-encode a " + image.cols() + "x" + image.rows() + " image");
            }
            byte[] out = new byte[(int) buffer.limit()];
            buffer.get(out);
            return out;
        }
    }
}

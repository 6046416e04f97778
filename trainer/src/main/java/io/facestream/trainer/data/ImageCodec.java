package io.facestream.trainer.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * JPEG/PNG ⇄ {@link FaceImage} with OpenCV (libjpeg-turbo, as the reference's Python loaders), and OpenCV resizing
 * (the low-resolution augmentation draws OpenCV interpolations). Faces that are not {@code size²} are resized
 * bilinearly: aligned data sets are 112×112 already.
 */
public final class ImageCodec {
    private ImageCodec() {}

    public static FaceImage decode(FaceRecord record, int size) {
        try (BytePointer bytes = new BytePointer(record.image());
                Mat buf = new Mat(1, record.image().length, CV_8UC1, bytes);
                Mat bgr = imdecode(buf, IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new BadRecordException(
                        record.source() + ": image bytes do not decode (" + record.image().length + " bytes)");
            }
            try (Mat rgb = new Mat()) {
                cvtColor(bgr, rgb, COLOR_BGR2RGB);
                if (rgb.cols() != size || rgb.rows() != size) {
                    resize(rgb, rgb, new Size(size, size), 0, 0, INTER_LINEAR);
                }
                byte[] out = new byte[size * size * 3];
                rgb.data().get(out);
                return new FaceImage(size, out);
            }
        }
    }

    /** Encodes as JPEG (quality 95) or PNG by extension ({@code ".jpg"}, {@code ".png"}). */
    public static byte[] encode(FaceImage image, String extension) {
        try (Mat rgb = toMat(image);
                Mat bgr = new Mat();
                BytePointer out = new BytePointer()) {
            cvtColor(rgb, bgr, COLOR_RGB2BGR);
            if (!imencode(extension, bgr, out)) {
                throw new IllegalArgumentException("OpenCV cannot encode " + extension);
            }
            byte[] b = new byte[(int) out.limit()];
            out.get(b);
            return b;
        }
    }

    /** Resizes in place: to {@code side²} with one interpolation and back with another (low-resolution augmentation). */
    static void degrade(FaceImage image, int side, int down, int up) {
        try (Mat m = toMat(image);
                Mat small = new Mat();
                Mat back = new Mat()) {
            resize(m, small, new Size(side, side), 0, 0, down);
            resize(small, back, new Size(image.size(), image.size()), 0, 0, up);
            back.data().get(image.rgb());
        }
    }

    private static Mat toMat(FaceImage image) {
        Mat m = new Mat(image.size(), image.size(), CV_8UC3);
        m.data().put(image.rgb());
        return m;
    }
}

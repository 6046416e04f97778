package io.facestream.ingest.publish;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.source.Picture;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decoded pictures to JPEG bytes ({@code ingest.jpeg-encoder}). Two routes, both libjpeg-turbo underneath, same
 * quantisation tables for the same quality, 4:2:0 chroma:
 *
 * <ul>
 *   <li><b>turbojpeg</b>: a video decoder's I420 picture goes to TurboJPEG as its three planes, after the levels are
 *       stretched from video range (Y 16–235, chroma 16–240) to the full range JPEG stores. No BGR image is made.
 *   <li><b>opencv</b>: the picture is converted to BGR and encoded by OpenCV's {@code imencode}.
 * </ul>
 *
 * Pictures that are BGR already (image files, odd-sized video) or over the camera's size limit (scaled in BGR) take
 * the OpenCV route with either setting. Both routes give the same colours: OpenCV's I420 to BGR conversion uses the
 * BT.601 video-range equations, and the stretch followed by a JPEG decoder's full-range BT.601 gives those same
 * equations. Stateless, so any encoder thread can run it.
 */
public final class JpegEncoder {
    /** What {@code ingest.jpeg-encoder} asks for. */
    public enum Kind {
        /** TurboJPEG when {@link TurboJpeg#LIBRARY} loads, else OpenCV. */
        AUTO,
        /** TurboJPEG, or the service does not start. */
        TURBOJPEG,
        OPENCV;

        public static Kind parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "turbojpeg" -> TURBOJPEG;
                case "opencv" -> OPENCV;
                default ->
                    throw new IllegalArgumentException(
                            "ingest.jpeg-encoder '" + text + "' is none of auto, turbojpeg, opencv");
            };
        }
    }

    /** OpenCV only: what every caller got before the choice existed, and what a BGR picture always gets. */
    public static final JpegEncoder OPENCV = new JpegEncoder(null, "opencv");

    // video range to JPEG's full range, applied in place with OpenCV's vectorised convertTo (saturating, rounding)
    private static final double LUMA_SCALE = 255.0 / 219.0;
    private static final double LUMA_SHIFT = -16.0 * LUMA_SCALE;
    private static final double CHROMA_SCALE = 255.0 / 224.0;
    private static final double CHROMA_SHIFT = 128.0 - 128.0 * CHROMA_SCALE;

    private final TurboJpeg turbo;
    private final String name;

    private JpegEncoder(TurboJpeg turbo, String name) {
        this.turbo = turbo;
        this.name = name;
    }

    /**
     * The encoder for a setting.
     *
     * @throws IllegalStateException for {@link Kind#TURBOJPEG} when the library cannot be loaded, saying how to install
     *     it
     */
    public static JpegEncoder of(Kind kind) {
        return switch (kind) {
            case OPENCV -> OPENCV;
            case TURBOJPEG -> turbo(Library.load());
            case AUTO -> Library.loaded() ? turbo(Library.load()) : OPENCV;
        };
    }

    private static JpegEncoder turbo(TurboJpeg lib) {
        return new JpegEncoder(lib, "turbojpeg");
    }

    /** {@code turbojpeg} or {@code opencv}: the route video frames take. */
    public String name() {
        return name;
    }

    /** Why {@link Kind#AUTO} picked OpenCV, or empty when TurboJPEG loaded. */
    public static String unavailableReason() {
        return Library.loaded() ? "" : Library.failure.getMessage();
    }

    /**
     * Encodes a picture the encoder may change: an I420 picture's levels are stretched in place on the TurboJPEG route.
     */
    public byte[] encode(Picture picture, CameraOptions options) {
        Mat pixels = picture.mat();
        int w = picture.width();
        int h = picture.height();
        int[] size = options.fit(w, h);
        if (turbo != null
                && picture.layout() == Picture.Layout.I420
                && size[0] == w
                && size[1] == h
                && pixels.isContinuous()) {
            toFullRange(pixels, h);
            return turbo.encodeI420(pixels.data().address(), w, h, options.jpegQuality());
        }
        Mat bgr = picture.toBgr();
        try {
            return encode(bgr, options);
        } finally {
            if (bgr != pixels) {
                bgr.close();
            }
        }
    }

    private static void toFullRange(Mat i420, int height) {
        try (Mat luma = i420.rowRange(0, height);
                Mat chroma = i420.rowRange(height, height * 3 / 2)) {
            luma.convertTo(luma, -1, LUMA_SCALE, LUMA_SHIFT);
            chroma.convertTo(chroma, -1, CHROMA_SCALE, CHROMA_SHIFT);
        }
    }

    /** A BGR image through OpenCV, downscaled first when it is over the camera's size limit. */
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

    /** The library, loaded on first use for the whole process; a failure is kept, so it is tried once. */
    private static final class Library {
        private static final TurboJpeg lib;
        private static final IllegalStateException failure;

        static {
            TurboJpeg loaded = null;
            IllegalStateException failed = null;
            try {
                loaded = TurboJpeg.load(TurboJpeg.LIBRARY);
            } catch (IllegalStateException e) {
                failed = e;
            }
            lib = loaded;
            failure = failed;
        }

        static boolean loaded() {
            return lib != null;
        }

        static TurboJpeg load() {
            if (lib == null) {
                throw new IllegalStateException("ingest.jpeg-encoder is turbojpeg, but " + failure.getMessage()
                        + "; or set ingest.jpeg-encoder: auto (OpenCV when TurboJPEG is missing)");
            }
            return lib;
        }
    }
}

package io.facestream.ingest.publish;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2YUV_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.source.Picture;
import java.util.Random;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/**
 * Both JPEG routes of the ingest service on the same decoded picture: the TurboJPEG route from the I420 planes must
 * give the colours of the OpenCV route (which converts to BGR first), including black and white at the ends of the
 * video range, and a missing library must say how to install it.
 */
class JpegEncoderTest {
    private static final CameraOptions OPTIONS =
            CameraOptions.fromConfig(FacestreamConfig.builder().isolated().build());
    private static final int W = 640;
    private static final int H = 480;

    @Test
    void theTurboJpegRouteGivesTheColoursOfTheOpenCvRoute() {
        assumeTrue(JpegEncoder.unavailableReason().isEmpty(), JpegEncoder.unavailableReason());
        try (Mat scene = scene();
                Mat i420 = new Mat()) {
            cvtColor(scene, i420, COLOR_BGR2YUV_I420);
            Picture picture = new Picture(i420, Picture.Layout.I420);
            try (Mat reference = picture.toBgr();
                    Mat viaOpenCv = decode(JpegEncoder.OPENCV.encode(picture.copy(), OPTIONS));
                    Mat viaTurbo =
                            decode(JpegEncoder.of(JpegEncoder.Kind.TURBOJPEG).encode(picture.copy(), OPTIONS))) {
                double openCvError = meanAbsDiff(viaOpenCv, reference);
                double turboError = meanAbsDiff(viaTurbo, reference);
                // JPEG at quality 90 on a noisy scene: a couple of levels from the decoded picture on either route
                assertTrue(openCvError < 4.0, "OpenCV route: mean error " + openCvError);
                assertTrue(
                        turboError < openCvError * 1.25 + 0.5,
                        "TurboJPEG route: mean error " + turboError + " against OpenCV's " + openCvError);
                // the range stretch: video black (Y 16) and white (Y 235) come back as 0 and 255, as from OpenCV
                assertTrue(blockMean(viaTurbo, 0) < 3.0, "black: " + blockMean(viaTurbo, 0));
                assertTrue(blockMean(viaTurbo, 1) > 252.0, "white: " + blockMean(viaTurbo, 1));
                for (int block = 2; block < 6; block++) {
                    assertEquals(blockMean(viaOpenCv, block), blockMean(viaTurbo, block), 1.5, "block " + block);
                }
            }
        }
    }

    @Test
    void theTurboJpegRouteLeavesBgrAndOversizedPicturesToOpenCv() {
        assumeTrue(JpegEncoder.unavailableReason().isEmpty(), JpegEncoder.unavailableReason());
        JpegEncoder turbo = JpegEncoder.of(JpegEncoder.Kind.AUTO);
        assertEquals("turbojpeg", turbo.name());
        try (Mat scene = scene();
                Mat i420 = new Mat()) {
            cvtColor(scene, i420, COLOR_BGR2YUV_I420);
            // a BGR picture is encoded as it is
            try (Mat decoded = decode(turbo.encode(new Picture(scene, Picture.Layout.BGR), OPTIONS))) {
                assertTrue(meanAbsDiff(decoded, scene) < 4.0, "BGR picture: " + meanAbsDiff(decoded, scene));
            }
            // over the size limit: scaled in BGR, at the limit's size
            CameraOptions small = OPTIONS.with("max-width", "320").with("max-height", "240");
            try (Mat decoded = decode(turbo.encode(new Picture(i420, Picture.Layout.I420).copy(), small))) {
                assertEquals(320, decoded.cols());
                assertEquals(240, decoded.rows());
            }
        }
    }

    @Test
    void aMissingLibrarySaysHowToInstallIt() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> TurboJpeg.load("libturbojpeg-not-here.so.0"));
        assertTrue(e.getMessage().contains("libturbojpeg-not-here.so.0 cannot be loaded"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install libturbojpeg0"), e.getMessage());
    }

    @Test
    void theSettingIsParsedStrictly() {
        assertEquals(JpegEncoder.Kind.TURBOJPEG, JpegEncoder.Kind.parse(" TurboJPEG "));
        assertEquals(JpegEncoder.Kind.AUTO, JpegEncoder.Kind.parse("auto"));
        assertEquals("opencv", JpegEncoder.of(JpegEncoder.Kind.OPENCV).name());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> JpegEncoder.Kind.parse("libjpeg"));
        assertEquals("ingest.jpeg-encoder 'libjpeg' is none of auto, turbojpeg, opencv", e.getMessage());
    }

    /** Gradients with light noise, and six flat blocks: black, white, then four colours. */
    private static Mat scene() {
        Mat scene = new Mat(H, W, CV_8UC3);
        UByteIndexer px = scene.createIndexer();
        Random random = new Random(7);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < 3; c++) {
                    px.put(y, x, c, 20 + x * 160 / W + y * 40 / H + c * 10 + random.nextInt(8));
                }
            }
        }
        px.close();
        double[][] colours = {{0, 0, 0}, {255, 255, 255}, {40, 90, 200}, {200, 160, 30}, {90, 200, 90}, {128, 128, 128}
        };
        for (int block = 0; block < colours.length; block++) {
            try (Mat area = scene.apply(block(block));
                    Scalar colour = new Scalar(colours[block][0], colours[block][1], colours[block][2], 0)) {
                area.put(colour);
            }
        }
        return scene;
    }

    private static Rect block(int i) {
        return new Rect(16 + i * 100, 16, 64, 64);
    }

    /** Mean of the block's inner 48x48 over the three channels (its edges carry ringing from the neighbours). */
    private static double blockMean(Mat bgr, int i) {
        Rect r = block(i);
        try (Rect inner = new Rect(r.x() + 8, r.y() + 8, 48, 48);
                Mat area = bgr.apply(inner);
                Scalar m = mean(area)) {
            return (m.get(0) + m.get(1) + m.get(2)) / 3;
        }
    }

    private static double meanAbsDiff(Mat a, Mat b) {
        try (Mat diff = new Mat()) {
            absdiff(a, b, diff);
            try (Scalar mm = mean(diff)) {
                return (mm.get(0) + mm.get(1) + mm.get(2)) / 3;
            }
        }
    }

    private static Mat decode(byte[] jpeg) {
        try (Mat bytes = new Mat(jpeg)) {
            Mat decoded = imdecode(bytes, IMREAD_COLOR);
            assertFalse(decoded.empty(), "a decodable JPEG");
            return decoded;
        }
    }
}

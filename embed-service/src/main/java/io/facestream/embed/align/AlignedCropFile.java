package io.facestream.embed.align;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * An aligned face crop saved as an image file (gallery crops, held-out faces, exported training faces), read back
 * as BGR at an embedder's input size. A crop saved at another resolution keeps its alignment when scaled, so it is
 * resized rather than refused.
 */
public final class AlignedCropFile {
    private AlignedCropFile() {}

    /**
     * @param what what the file is, for the error message ("stored crop", "held-out face image")
     * @throws IllegalArgumentException naming the file when it cannot be decoded
     */
    public static Mat read(Path file, int width, int height, String what) {
        Mat image = imread(file.toString(), IMREAD_COLOR);
        if (image == null || image.empty()) {
            throw new IllegalArgumentException(file + ": cannot decode " + what);
        }
        if (image.cols() == width && image.rows() == height) {
            return image;
        }
        Mat scaled = new Mat();
        resize(image, scaled, new Size(width, height), 0, 0, INTER_AREA);
        image.close();
        return scaled;
    }
}

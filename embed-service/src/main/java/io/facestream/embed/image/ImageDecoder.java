package io.facestream.embed.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns encoded bytes (JPEG, PNG, BMP, WebP) into an 8-bit BGR {@link Mat}, the one pixel format the face pipeline
 * works on. The size is read from the header first and checked against a pixel limit, so a decompression bomb is
 * refused before a decoder allocates anything. Grayscale, CMYK and alpha images come out as 3-channel BGR (OpenCV's
 * {@code IMREAD_COLOR}: grey is replicated, CMYK is converted, alpha is dropped without blending).
 */
public final class ImageDecoder {
    /** 40 megapixels: larger than any camera frame we expect (8K is 33 MP), far below a bomb. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("image pixel limit must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Format and size from the header; refuses unknown formats and sizes above the limit. */
    public ImageHeader probe(byte[] bytes, String what) {
        ImageHeader header = ImageHeaders.read(bytes, what);
        if (header.pixels() > maxPixels) {
            throw new ImageException(
                    what + ": " + header.format() + " image of " + header.width() + "x" + header.height()
                            + " = " + header.pixels() + " pixels exceeds the limit of " + maxPixels
                            + " pixels (refused before decoding; raise face.image.max-pixels if this is a real image)");
        }
        return header;
    }

    /** Decodes to BGR; the caller closes the returned Mat. */
    public Mat decode(byte[] bytes, String what) {
        ImageHeader header = probe(bytes, what);
        Mat bgr;
        try (BytePointer data = new BytePointer(bytes);
                Mat encoded = new Mat(1, bytes.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, data)) {
            bgr = imdecode(encoded, IMREAD_COLOR);
        } catch (RuntimeException opencv) {
            // OpenCV asserts limits of its own (e.g. a side over 2^20 pixels) by throwing cv::Exception
            throw new ImageException(what + ": " + header.format() + " image (" + header.width() + "x" + header.height()
                    + ") refused by the decoder: "
                    + String.valueOf(opencv.getMessage())
                            .strip()
                            .lines()
                            .reduce((a, b) -> b)
                            .orElse(""));
        }
        if (bgr == null || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new ImageException(what + ": " + header.format() + " image (" + header.width() + "x" + header.height()
                    + ") could not be decoded (corrupt or truncated data)");
        }
        return bgr;
    }

    public Mat read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > maxPixels * 4 + 1_000_000) {
                throw new ImageException(
                        file + ": file of " + Files.size(file) + " bytes is larger than any image within the "
                                + maxPixels + "-pixel limit could reasonably be");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }
}

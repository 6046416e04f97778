package io.facestream.embed.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.testing.Fuzzing;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Fuzzes the image header checks ({@link ImageHeaders}) and the decoder ({@link ImageDecoder}, OpenCV's
 * {@code imdecode}, native code: a crash ends the JVM and is a finding) with the production pixel limit. Bytes either
 * decode to a 3-channel 8-bit image of exactly the size the header gave, within the pixel limit (so a
 * decompression bomb cannot pass the check by lying in a way the decoder does not read), or are refused with an
 * {@link ImageException}.
 */
class ImageDecoderFuzzTest {
    private static final ImageDecoder DECODER = new ImageDecoder();

    @DictionaryEntries({"IHDR", "IDAT", "IEND", "PLTE", "RIFF", "WEBP", "VP8 ", "VP8L", "VP8X", "BM", "JFIF", "Exif"})
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        Fuzzing.check(
                () -> {
                    ImageHeader header = DECODER.probe(data, "fuzz input");
                    assertTrue(header.width() > 0 && header.height() > 0, "header size " + header);
                    try (Mat bgr = DECODER.decode(data, "fuzz input")) {
                        assertEquals(3, bgr.channels(), "channels");
                        assertEquals(org.bytedeco.opencv.global.opencv_core.CV_8U, bgr.depth(), "depth");
                        long pixels = (long) bgr.rows() * bgr.cols();
                        assertTrue(
                                pixels <= DECODER.maxPixels(),
                                "decoded " + bgr.cols() + "x" + bgr.rows() + " beyond the limit");
                        assertEquals(
                                header.pixels(),
                                pixels,
                                "decoded " + bgr.cols() + "x" + bgr.rows() + " but the header said " + header);
                    }
                },
                ImageException.class);
    }
}

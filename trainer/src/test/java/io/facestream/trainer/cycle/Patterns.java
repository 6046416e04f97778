package io.facestream.trainer.cycle;

import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** 112×112 JPEG stand-ins for aligned crops: each identity a fixed colour-block pattern, each sample re-noised. */
public final class Patterns {
    private Patterns() {}

    public static byte[] jpeg(int id, int sample) {
        Random base = new Random(100 + id);
        Random noise = new Random(id * 31L + sample);
        byte[] px = new byte[112 * 112 * 3];
        for (int by = 0; by < 14; by++) {
            for (int bx = 0; bx < 14; bx++) {
                int[] c = {base.nextInt(256), base.nextInt(256), base.nextInt(256)};
                for (int y = by * 8; y < by * 8 + 8; y++) {
                    for (int x = bx * 8; x < bx * 8 + 8; x++) {
                        for (int k = 0; k < 3; k++) {
                            px[(y * 112 + x) * 3 + k] =
                                    (byte) Math.max(0, Math.min(255, c[k] + (int) (noise.nextGaussian() * 10)));
                        }
                    }
                }
            }
        }
        try (Mat m = new Mat(112, 112, opencv_core.CV_8UC3);
                BytePointer buf = new BytePointer()) {
            m.data().put(px);
            opencv_imgcodecs.imencode(".jpg", m, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}

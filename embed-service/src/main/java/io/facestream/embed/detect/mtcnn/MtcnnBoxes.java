package io.facestream.embed.detect.mtcnn;

import java.util.ArrayList;
import java.util.List;

/**
 * The box arithmetic of the MTCNN cascade, in the reference implementation's pixel convention (a box x1..x2 is
 * x2-x1+1 pixels wide). A candidate is {@code {x1, y1, x2, y2, score, tx1, ty1, tx2, ty2}}.
 */
final class MtcnnBoxes {
    static final int X1 = 0, Y1 = 1, X2 = 2, Y2 = 3, SCORE = 4, REG = 5;
    static final int STRIDE = 2;
    static final int CELL = 12;

    private MtcnnBoxes() {}

    /** Pyramid scales: 12/minFace, times factor^k while the image's short side stays above P-Net's 12 px window. */
    static List<Float> scales(int width, int height, MtcnnSettings s) {
        List<Float> out = new ArrayList<>();
        float m = CELL / s.minFaceSize();
        float minLength = Math.min(width, height) * m;
        float scale = m;
        while (minLength > CELL) {
            out.add(scale);
            scale *= s.scaleFactor();
            minLength *= s.scaleFactor();
        }
        return out;
    }

    /**
     * P-Net cells above the threshold → image-space candidates. {@code prob(i, j)} and {@code reg(k, i, j)} index the
     * output map by row i and column j.
     */
    static List<float[]> candidates(int rows, int cols, MapReader prob, MapReader reg, float scale, float threshold) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float p = prob.at(1, i, j);
                if (p > threshold) {
                    out.add(new float[] {
                        (float) Math.rint((STRIDE * j + 1.0) / scale),
                        (float) Math.rint((STRIDE * i + 1.0) / scale),
                        (float) Math.rint((STRIDE * j + 1.0 + CELL) / scale),
                        (float) Math.rint((STRIDE * i + 1.0 + CELL) / scale),
                        p,
                        reg.at(0, i, j),
                        reg.at(1, i, j),
                        reg.at(2, i, j),
                        reg.at(3, i, j)
                    });
                }
            }
        }
        return out;
    }

    /** Reads channel c at row i, column j of a network output map. */
    interface MapReader {
        float at(int c, int i, int j);
    }

    /** Moves each edge by its regression offset, in units of the box size. */
    static void calibrate(float[] b) {
        float w = b[X2] - b[X1] + 1;
        float h = b[Y2] - b[Y1] + 1;
        b[X1] += b[REG] * w;
        b[Y1] += b[REG + 1] * h;
        b[X2] += b[REG + 2] * w;
        b[Y2] += b[REG + 3] * h;
    }

    /** Grows the shorter side around the centre to a square, then rounds (half to even, like numpy). */
    static void squareAndRound(float[] b) {
        float w = b[X2] - b[X1] + 1;
        float h = b[Y2] - b[Y1] + 1;
        float l = Math.max(w, h);
        float x1 = b[X1] + w * 0.5f - l * 0.5f;
        float y1 = b[Y1] + h * 0.5f - l * 0.5f;
        b[X1] = (float) Math.rint(x1);
        b[Y1] = (float) Math.rint(y1);
        b[X2] = (float) Math.rint(x1 + l - 1);
        b[Y2] = (float) Math.rint(y1 + l - 1);
    }

    static float[][] corners(List<float[]> boxes) {
        float[][] c = new float[boxes.size()][];
        for (int i = 0; i < c.length; i++) {
            c[i] = boxes.get(i);
        }
        return c;
    }

    static float[] scores(List<float[]> boxes) {
        float[] s = new float[boxes.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = boxes.get(i)[SCORE];
        }
        return s;
    }
}

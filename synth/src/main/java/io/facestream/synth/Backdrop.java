package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A fixed camera's view of a corridor or hall: wall and floor in random tints, doors and windows, floor lines in
 * perspective, and one or two foreground objects (pillars, posts) that people walk behind — the scene's partial
 * occlusions. Drawn once per video.
 */
public final class Backdrop {
    private final Mat background;
    private final List<Rect> foreground = new ArrayList<>();
    private final List<Scalar> foregroundColour = new ArrayList<>();

    public Backdrop(int width, int height, SplittableRandom rnd) {
        background = new Mat(height, width, CV_8UC3, tint(rnd, 150, 90));
        int horizon = (int) (height * (0.35 + 0.15 * rnd.nextDouble()));
        rectangle(background, new Rect(0, horizon, width, height - horizon), tint(rnd, 110, 80), FILLED, LINE_8, 0);
        int doors = 2 + rnd.nextInt(4);
        for (int i = 0; i < doors; i++) {
            int w = width / 14 + rnd.nextInt(width / 10 + 1);
            int h = (int) (horizon * (0.5 + 0.4 * rnd.nextDouble()));
            int x = rnd.nextInt(Math.max(1, width - w));
            rectangle(background, new Rect(x, horizon - h, w, h), tint(rnd, 100, 120), FILLED, LINE_8, 0);
        }
        Scalar lineColour = tint(rnd, 80, 60);
        for (int i = -4; i <= 4; i++) {
            line(
                    background,
                    new Point(width / 2 + i * width / 16, horizon),
                    new Point(width / 2 + i * width / 3, height),
                    lineColour,
                    1,
                    LINE_8,
                    0);
        }
        int objects = 1 + rnd.nextInt(2);
        for (int i = 0; i < objects; i++) {
            int w = Math.max(4, (int) (width * (0.04 + 0.05 * rnd.nextDouble())));
            int top = (int) (height * (0.2 + 0.5 * rnd.nextDouble()));
            foreground.add(new Rect(rnd.nextInt(Math.max(1, width - w)), top, w, height - top));
            foregroundColour.add(tint(rnd, 70, 100));
        }
    }

    private static Scalar tint(SplittableRandom rnd, int base, int spread) {
        return new Scalar(
                base + rnd.nextInt(spread) - spread / 2.0,
                base + rnd.nextInt(spread) - spread / 2.0,
                base + rnd.nextInt(spread) - spread / 2.0,
                0);
    }

    /** A fresh copy of the empty scene to draw people on. */
    public Mat emptyFrame() {
        return background.clone();
    }

    /** Draws the foreground objects over everything else. */
    public void drawForeground(Mat frame) {
        for (int i = 0; i < foreground.size(); i++) {
            rectangle(frame, foreground.get(i), foregroundColour.get(i), FILLED, LINE_8, 0);
        }
    }

    /** Fraction of a box hidden by the foreground objects (0…1), for the ground truth's occlusion column. */
    public double occlusion(double x, double y, double w, double h) {
        // Objects may overlap each other; a coarse grid counts each covered cell once.
        int n = 16, covered = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double px = x + (i + 0.5) * w / n, py = y + (j + 0.5) * h / n;
                for (Rect r : foreground) {
                    if (px >= r.x() && px < r.x() + r.width() && py >= r.y() && py < r.y() + r.height()) {
                        covered++;
                        break;
                    }
                }
            }
        }
        return covered / (double) (n * n);
    }

    public void close() {
        background.close();
    }
}

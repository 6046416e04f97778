package io.facestream.synth;

import java.util.SplittableRandom;

/**
 * One person's path through one video: present from {@code start} to {@code end} (inclusive), moving in a
 * straight line between two points while the face grows or shrinks (walking towards or away from the camera), with
 * a small sideways sway and head roll. Both end points keep the whole face box inside the frame, and because the
 * constraint is linear in position and size, every point in between does too.
 */
public record Walk(
        int subject,
        int start,
        int end,
        double x0,
        double y0,
        double s0,
        double x1,
        double y1,
        double s1,
        double swayPhase,
        double rollAmp,
        long lookSeed) {

    /** Face centre, face size (box width, px) and roll (radians) at a frame of the walk. */
    public record Pose(double cx, double cy, double size, double roll) {}

    public boolean covers(int frame) {
        return frame >= start && frame <= end;
    }

    public Pose at(int frame, int width, int height) {
        double t = end == start ? 0 : (frame - start) / (double) (end - start);
        double s = s0 + (s1 - s0) * t;
        double sway = 0.08 * s * Math.sin(swayPhase + frame * 0.35);
        double cx = clamp(x0 + (x1 - x0) * t + sway, s / 2 + 1, width - s / 2 - 1);
        double cy = y0 + (y1 - y0) * t;
        return new Pose(cx, cy, s, rollAmp * Math.sin(swayPhase * 1.7 + frame * 0.2));
    }

    /** A path whose face size goes from {@code sFrom} to {@code sTo}; far (small) faces sit higher in the frame. */
    public static Walk plan(
            int subject,
            int start,
            int end,
            double sFrom,
            double sTo,
            int width,
            int height,
            double minFace,
            double maxFace,
            SplittableRandom rnd) {
        double[] p0 = point(sFrom, width, height, minFace, maxFace, rnd);
        double[] p1 = point(sTo, width, height, minFace, maxFace, rnd);
        return new Walk(
                subject,
                start,
                end,
                p0[0],
                p0[1],
                sFrom,
                p1[0],
                p1[1],
                sTo,
                rnd.nextDouble() * 2 * Math.PI,
                Math.toRadians(4 + 8 * rnd.nextDouble()),
                rnd.nextLong());
    }

    private static double[] point(
            double s, int width, double height, double minFace, double maxFace, SplittableRandom rnd) {
        double depth = maxFace > minFace ? (s - minFace) / (maxFace - minFace) : 0.5;
        double x = s / 2 + 1 + rnd.nextDouble() * (width - s - 2);
        double yWanted = height * (0.3 + 0.35 * depth) + height * 0.1 * (rnd.nextDouble() - 0.5);
        double y = clamp(yWanted, s / 2 + 1, height - s / 2 - 1);
        return new double[] {x, y};
    }

    static double clamp(double v, double lo, double hi) {
        return lo > hi ? (lo + hi) / 2 : Math.max(lo, Math.min(hi, v));
    }
}

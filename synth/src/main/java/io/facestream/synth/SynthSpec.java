package io.facestream.synth;

import java.nio.file.Path;

/**
 * What to generate.
 *
 * @param framesPerVideo frames of each surveillance video (25 fps)
 * @param minFace        smallest face box width in the videos, px
 * @param maxFace        largest face box width in the videos, px
 * @param threads        videos rendered at the same time (output does not depend on it)
 */
public record SynthSpec(
        Path out,
        int subjects,
        int videos,
        long seed,
        int framesPerVideo,
        int width,
        int height,
        int minFace,
        int maxFace,
        int threads) {
    public static final double FPS = 25;
    public static final int BOOKING_STILLS = 4;
    public static final int STILL_SIZE = 256;

    public SynthSpec {
        require(subjects >= 2, "--subjects must be at least 2, got " + subjects);
        require(videos >= 1, "--videos must be at least 1, got " + videos);
        require(framesPerVideo >= 2, "--frames-per-video must be at least 2, got " + framesPerVideo);
        require(
                width >= 64 && height >= 64 && width % 2 == 0 && height % 2 == 0,
                "--size must be even and at least 64x64 (yuv420p), got " + width + "x" + height);
        require(
                minFace >= 8 && maxFace >= minFace,
                "face sizes must satisfy 8 <= min <= max, got " + minFace + ".." + maxFace);
        require(
                maxFace + 2 <= Math.min(width, height),
                "--max-face " + maxFace + " does not fit in " + width + "x" + height);
        require(threads >= 1, "--threads must be at least 1");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static String videoFile(int video) {
        return "videos/" + videoId(video) + ".mp4";
    }

    /** Numeric ids, so that {@code videos_<V>_<F>.jpg} splits unambiguously at the underscores. */
    public static int videoId(int video) {
        return 1001 + video;
    }

    public static String stillFile(int subject, int k) {
        return "img/" + (subject * 10 + k) + ".jpg";
    }
}

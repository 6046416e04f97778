package io.facestream.ingest.camera;

import java.util.Locale;

/** How recorded input (files, image directories) is paced. Live sources are always paced by the camera. */
public enum Replay {
    /** At the pace it was recorded, like a camera would deliver it. */
    REALTIME,
    /** As fast as decoding allows: for backfills, tests and benchmarks. */
    FAST;

    public static Replay parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "realtime", "real-time" -> REALTIME;
            case "fast" -> FAST;
            default -> throw new IllegalArgumentException("replay '" + text + "' is neither 'realtime' nor 'fast'");
        };
    }
}

package io.facestream.ingest.camera;

import java.util.Locale;

/** What a recorded source does at its end. */
public enum AtEnd {
    STOP,
    LOOP;

    public static AtEnd parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "stop" -> STOP;
            case "loop" -> LOOP;
            default -> throw new IllegalArgumentException("at-end '" + text + "' is neither 'stop' nor 'loop'");
        };
    }
}

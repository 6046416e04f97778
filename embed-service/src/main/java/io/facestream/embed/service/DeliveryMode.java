package io.facestream.embed.service;

import java.util.Locale;

/** How the service treats frames it cannot keep up with. */
public enum DeliveryMode {
    /** Frames older than the maximum lag are skipped and counted, so a slow machine never builds an ever-growing delay. */
    LIVE,
    /** Every frame is processed, however late: recorded footage and evaluation. */
    COMPLETE;

    public static DeliveryMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("embed mode must be live or complete, got '" + text + "'");
        }
    }
}

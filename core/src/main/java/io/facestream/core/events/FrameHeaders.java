package io.facestream.core.events;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Header contract of {@code facestream.frames}. Values are UTF-8 text so any client (kcat, a script)
 * can set them: {@code kcat -H fs.seq=12}. All headers are optional: a frame with no headers is valid,
 * its capture time is then the record timestamp and its sequence the record offset.
 */
public final class FrameHeaders {
    /** Frame sequence number within its camera, decimal. */
    public static final String SEQ = "fs.seq";
    /** Capture time, epoch microseconds, decimal. */
    public static final String CAPTURE_TS = "fs.capture-ts";
    /** Optional JSON list of given faces (boxes + 5 landmarks), for annotated footage. */
    public static final String FACES = "fs.faces";

    private FrameHeaders() {}

    public static byte[] encodeLong(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a decimal long header.
     *
     * @throws IllegalArgumentException naming the header when it is present but not a decimal long
     */
    public static OptionalLong readLong(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null) {
            return OptionalLong.empty();
        }
        String text = new String(h.value(), StandardCharsets.UTF_8).trim();
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "header " + name + " is not a decimal integer: '" + abbreviate(text) + "'");
        }
    }

    public static String readString(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}

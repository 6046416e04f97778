package io.facestream.core.events;

import java.util.regex.Pattern;

/**
 * A camera's id: the key of every frame, face and match record, a metric tag and a config section name
 * ({@code cameras.<id>}). Letters, digits, {@code _} and {@code -}, starting with a letter or digit, at most 64
 * characters: no dots, because a dot would split the config section, and no spaces or slashes, because ids end up in
 * file names and URLs.
 */
public record CameraId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public CameraId {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("camera id is empty: use letters, digits, '_' or '-'");
        }
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid camera id '" + FrameHeaders.abbreviate(value)
                    + "': use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
        }
    }

    public static CameraId of(String value) {
        return new CameraId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}

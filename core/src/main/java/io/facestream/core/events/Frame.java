package io.facestream.core.events;

import java.util.Objects;

/**
 * One camera frame as read from {@code facestream.frames}.
 *
 * @param camera        the record key
 * @param seq           {@code fs.seq}, else the record offset
 * @param captureMicros {@code fs.capture-ts} (epoch microseconds), else the record timestamp
 * @param image         the encoded image (JPEG or PNG), as produced
 * @param facesJson     the raw {@code fs.faces} header (given boxes and landmarks) or null when absent
 */
public record Frame(CameraId camera, long seq, long captureMicros, byte[] image, String facesJson) {
    public Frame {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(image, "image");
    }

    public long captureMillis() {
        return Math.floorDiv(captureMicros, 1000);
    }
}

package io.facestream.ingest.camera;

/** A camera definition that cannot run: bad id, missing source, unknown option. */
public final class InvalidCameraException extends IllegalArgumentException {
    public InvalidCameraException(String message, Throwable cause) {
        super(message, cause);
    }
}

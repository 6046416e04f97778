package io.facestream.ingest.source;

import io.facestream.core.security.Redact;

/**
 * A camera source that cannot deliver (any more): the message says what and why, ready for a one-line log. Credentials
 * of any URL in it are masked ({@link Redact}): the message is logged and shown in the camera's status.
 */
public final class SourceException extends Exception {
    public SourceException(String message) {
        super(Redact.credentials(message));
    }
}

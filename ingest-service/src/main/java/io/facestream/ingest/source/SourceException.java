package io.facestream.ingest.source;

/** A camera source that cannot deliver (any more): the message says what and why, ready for a one-line log. */
public final class SourceException extends Exception {
    public SourceException(String message) {
        super(message);
    }
}

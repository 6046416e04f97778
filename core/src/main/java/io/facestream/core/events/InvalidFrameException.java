package io.facestream.core.events;

/** A record on the frames topic that is not a valid frame; the message is the reason a DLQ record carries. */
public final class InvalidFrameException extends IllegalArgumentException {
    public InvalidFrameException(String reason) {
        super(reason);
    }
}

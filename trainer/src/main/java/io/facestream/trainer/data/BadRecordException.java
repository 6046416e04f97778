package io.facestream.trainer.data;

/** A record that cannot be used; the message names it and the reason. */
public class BadRecordException extends RuntimeException {
    public BadRecordException(String message) {
        super(message);
    }
}

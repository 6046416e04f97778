package io.facestream.embed.model;

/** A model that cannot be found, verified, converted or run; the message names the model and file. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}

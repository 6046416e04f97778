package io.facestream.embed.image;

/** Bytes that are not an image we accept: the message names the input and the reason. */
public final class ImageException extends IllegalArgumentException {
    public ImageException(String message) {
        super(message);
    }
}

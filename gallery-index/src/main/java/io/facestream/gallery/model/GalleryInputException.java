package io.facestream.gallery.model;

/** Input the gallery refuses: the message names the input and the reason. */
public class GalleryInputException extends IllegalArgumentException {
    public GalleryInputException(String message) {
        super(message);
    }
}

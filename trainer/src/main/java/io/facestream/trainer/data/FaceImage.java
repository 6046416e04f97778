package io.facestream.trainer.data;

/**
 * A decoded face, {@code size × size}, interleaved 8-bit RGB (row-major, 3 bytes per pixel). Augmentations work on
 * it in place.
 */
public record FaceImage(int size, byte[] rgb) {
    public FaceImage {
        if (rgb.length != size * size * 3) {
            throw new IllegalArgumentException(
                    "face image of side " + size + " needs " + size * size * 3 + " bytes, got " + rgb.length);
        }
    }

    public FaceImage copy() {
        return new FaceImage(size, rgb.clone());
    }
}

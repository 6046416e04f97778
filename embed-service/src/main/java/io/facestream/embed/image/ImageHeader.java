package io.facestream.embed.image;

/**
 * Format and size of an encoded image, read from its first bytes without decoding any pixel.
 *
 * @param format "jpeg", "png", "bmp" or "webp"
 */
public record ImageHeader(String format, int width, int height) {
    public long pixels() {
        return (long) width * height;
    }
}

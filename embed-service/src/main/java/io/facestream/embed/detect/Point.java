package io.facestream.embed.detect;

/** An image position in pixels (x right, y down). */
public record Point(float x, float y) {}

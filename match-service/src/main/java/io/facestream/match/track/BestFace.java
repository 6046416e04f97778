package io.facestream.match.track;

/** The track's highest-norm accepted face: what the page shows next to the gallery face. */
public record BestFace(String ref, float norm, long tsUs) {}

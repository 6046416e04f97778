package io.facestream.match.api.faces;

/**
 * The face found in an uploaded image.
 *
 * @param model     {@code name:version} of the embedder
 * @param raw       raw feature (not unit length)
 * @param cropJpeg  the aligned 112x112 crop, JPEG
 * @param score     detector score
 * @param facesSeen how many faces the image had (the largest one is used)
 */
public record ReadFace(String model, float[] raw, byte[] cropJpeg, float score, int facesSeen) {}

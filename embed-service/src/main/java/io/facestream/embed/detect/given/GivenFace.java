package io.facestream.embed.detect.given;

import io.facestream.embed.detect.DetectedFace;

/**
 * A face supplied with the frame rather than detected.
 *
 * @param face  box, score (1 when not given) and landmarks
 * @param label free text from the annotation (e.g. a ground-truth subject id), or null
 */
public record GivenFace(DetectedFace face, String label) {}

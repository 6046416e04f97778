package io.facestream.synth;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One real face cut out of a photograph and aligned into the {@link Canonical} frame by its eyes.
 *
 * @param source where it came from ({@code file#index}), for reports
 * @param face   {@link Canonical#SIZE}² BGR image, eyes on the template's eye points
 */
public record DonorFace(String source, Mat face) {}

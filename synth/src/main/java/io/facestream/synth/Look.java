package io.facestream.synth;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One canonical picture of an identity: a {@link Canonical#SIZE}² BGR face and where its 5 landmarks are in it
 * (they differ from the template when the identity's face shape was warped).
 */
public record Look(Mat face, double[] landmarks) {}

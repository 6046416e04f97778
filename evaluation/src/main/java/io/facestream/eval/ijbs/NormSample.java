package io.facestream.eval.ijbs;

/** One video face for the norm-vs-face-size plot: ground-truth face size (px) and raw feature norm. */
public record NormSample(double sidePx, double norm) {}

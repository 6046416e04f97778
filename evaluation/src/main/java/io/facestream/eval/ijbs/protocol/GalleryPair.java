package io.facestream.eval.ijbs.protocol;

/** The two disjoint galleries every IJB-S protocol has; closed-set scores use G1 then G2 concatenated. */
public record GalleryPair(Gallery g1, Gallery g2) {}

package io.facestream.embed.detect;

/** How trustworthy a face's 5 landmarks are; alignment quality follows it. */
public enum LandmarkSource {
    /** All five points measured by the detector (MTCNN) or supplied by the frame. */
    MEASURED,
    /**
     * Eyes and nose measured, mouth corners estimated from the mouth centre (BlazeFace has no mouth corners): the
     * similarity fit is then driven by eyes, nose and mouth centre only, so roll/scale are slightly less accurate.
     */
    MOUTH_ESTIMATED,
    /** Only a box was given: the reference template is placed in the box. Alignment is a plain crop-and-scale. */
    FROM_BOX
}

package io.facestream.embed.detect.blazeface;

/**
 * BlazeFace's 896 SSD anchors, in normalised [0, 1] input coordinates: a 16×16 grid with 2 anchors per cell, then an
 * 8×8 grid with 6 per cell (the same for the 128 and 256 px models). All anchors of a cell share its centre; the
 * network regresses sizes directly, so anchors carry no size.
 */
final class BlazeFaceAnchors {
    /** Head layout: cells per side and anchors per cell, in output order. */
    static final int[][] LAYERS = {{16, 2}, {8, 6}};

    private BlazeFaceAnchors() {}

    static int count(int layer) {
        return LAYERS[layer][0] * LAYERS[layer][0] * LAYERS[layer][1];
    }

    /** Centres {cx, cy} of the anchors of one layer; index = (y·cells + x)·anchors + a. */
    static float[][] centres(int layer) {
        int cells = LAYERS[layer][0];
        int perCell = LAYERS[layer][1];
        float[][] out = new float[count(layer)][];
        int i = 0;
        for (int y = 0; y < cells; y++) {
            for (int x = 0; x < cells; x++) {
                for (int a = 0; a < perCell; a++) {
                    out[i++] = new float[] {(x + 0.5f) / cells, (y + 0.5f) / cells};
                }
            }
        }
        return out;
    }
}

package io.facestream.embed.detect.blazeface;

import java.util.ArrayList;
import java.util.List;

/**
 * BlazeFace's SSD anchors, in normalised [0, 1] input coordinates, derived from the anchor options MediaPipe
 * publishes with each model (SsdAnchorsCalculator): one feature map per stride of {@code input / stride} cells,
 * consecutive layers of equal stride sharing one map; every layer puts one anchor per aspect ratio (1.0) plus one
 * interpolated-scale anchor (when {@code interpolated_scale_aspect_ratio} is 1.0) at each cell centre
 * ((x + offset) / cells, offset 0.5). With {@code fixed_anchor_size} anchors carry no size: the network regresses
 * sizes directly.
 *
 * <ul>
 *   <li>short range (128 px): 4 layers, strides 8, 16, 16, 16, 2 anchors per layer → a 16×16 map × 2 and an 8×8
 *       map × 6 = 896 anchors (the 256 px "back" model has the same head);
 *   <li>full range (192 px): 1 layer, stride 4, only the aspect-ratio anchor → a 48×48 map × 1 = 2304 anchors.
 * </ul>
 *
 * @param layers head layout in output order: {cells per side, anchors per cell}
 */
record BlazeFaceAnchors(String name, int[][] layers) {
    /** MediaPipe's short-range options: input 128, strides 8/16/16/16, 2 anchors per layer. */
    static final BlazeFaceAnchors SHORT_RANGE = fromSsdOptions("short-range", 128, new int[] {8, 16, 16, 16}, 2);

    /** MediaPipe's full-range options: input 192, stride 4, interpolated scale off, 1 anchor per layer. */
    static final BlazeFaceAnchors FULL_RANGE = fromSsdOptions("full-range", 192, new int[] {4}, 1);

    static final List<BlazeFaceAnchors> KNOWN = List.of(SHORT_RANGE, FULL_RANGE);

    /** Anchor layout from SSD options: layers of equal consecutive stride merge into one feature map. */
    static BlazeFaceAnchors fromSsdOptions(String name, int inputSize, int[] strides, int anchorsPerLayer) {
        List<int[]> maps = new ArrayList<>();
        int i = 0;
        while (i < strides.length) {
            int j = i;
            while (j < strides.length && strides[j] == strides[i]) {
                j++;
            }
            int cells = (int) Math.ceil((double) inputSize / strides[i]);
            maps.add(new int[] {cells, (j - i) * anchorsPerLayer});
            i = j;
        }
        return new BlazeFaceAnchors(name, maps.toArray(int[][]::new));
    }

    int layerCount() {
        return layers.length;
    }

    int count(int layer) {
        return layers[layer][0] * layers[layer][0] * layers[layer][1];
    }

    int total() {
        int n = 0;
        for (int l = 0; l < layers.length; l++) {
            n += count(l);
        }
        return n;
    }

    /** Centres {cx, cy} of the anchors of one layer; index = (y·cells + x)·anchors + a. */
    float[][] centres(int layer) {
        int cells = layers[layer][0];
        int perCell = layers[layer][1];
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

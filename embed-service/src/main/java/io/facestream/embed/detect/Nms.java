package io.facestream.embed.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Non-maximum suppression over corner boxes {x1, y1, x2, y2}, the two overlap measures MTCNN uses. */
public final class Nms {
    private Nms() {}

    public enum Overlap {
        /** intersection / union */
        UNION,
        /** intersection / smaller area: also removes a small box nested in a big one */
        MIN
    }

    /**
     * Greedy NMS in MTCNN's pixel convention (areas count {@code +1}, so a box x1..x2 covers x2-x1+1 pixels).
     * Returns the kept indices in descending score order; a box is suppressed when its overlap with a kept box is
     * strictly greater than {@code threshold}.
     */
    public static int[] greedy(float[][] boxes, float[] scores, float threshold, Overlap mode) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Stable sort, descending score: ties keep input order.
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
        boolean[] removed = new boolean[scores.length];
        List<Integer> keep = new ArrayList<>();
        for (int a = 0; a < order.length; a++) {
            int i = order[a];
            if (removed[i]) {
                continue;
            }
            keep.add(i);
            float[] bi = boxes[i];
            float areaI = (bi[2] - bi[0] + 1) * (bi[3] - bi[1] + 1);
            for (int b = a + 1; b < order.length; b++) {
                int j = order[b];
                if (removed[j]) {
                    continue;
                }
                float[] bj = boxes[j];
                float w = Math.max(0f, Math.min(bi[2], bj[2]) - Math.max(bi[0], bj[0]) + 1);
                float h = Math.max(0f, Math.min(bi[3], bj[3]) - Math.max(bi[1], bj[1]) + 1);
                float inter = w * h;
                float areaJ = (bj[2] - bj[0] + 1) * (bj[3] - bj[1] + 1);
                float overlap = mode == Overlap.MIN ? inter / Math.min(areaI, areaJ) : inter / (areaI + areaJ - inter);
                if (overlap > threshold) {
                    removed[j] = true;
                }
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Intersection over union of two corner boxes in continuous coordinates (no +1), as BlazeFace uses. */
    public static float iou(float[] a, float[] b) {
        float w = Math.max(0f, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        float h = Math.max(0f, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        float inter = w * h;
        float union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

package io.facestream.embed.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NmsTest {
    @Test
    void unionKeepsTheBestOfOverlappingBoxesInScoreOrder() {
        float[][] boxes = {{0, 0, 9, 9}, {1, 1, 10, 10}, {50, 50, 59, 59}, {0, 0, 9, 9}};
        float[] scores = {0.8f, 0.9f, 0.7f, 0.1f};
        // box1 overlaps box0 with IoU 81/119 = 0.68 and box3 the same: both suppressed at 0.5
        assertArrayEquals(new int[] {1, 2}, Nms.greedy(boxes, scores, 0.5f, Nms.Overlap.UNION));
        // at 0.7 the 0.68 overlaps survive, identical box3 (IoU 1 with box0) does not
        assertArrayEquals(new int[] {1, 0, 2}, Nms.greedy(boxes, scores, 0.7f, Nms.Overlap.UNION));
    }

    @Test
    void minModeRemovesABoxNestedInABiggerOne() {
        float[][] boxes = {{0, 0, 99, 99}, {10, 10, 29, 29}};
        float[] scores = {0.9f, 0.95f};
        // IoU = 400/10000 = 0.04 keeps both; overlap/min = 1 removes the big one (lower score)
        assertEquals(2, Nms.greedy(boxes, scores, 0.7f, Nms.Overlap.UNION).length);
        assertArrayEquals(new int[] {1}, Nms.greedy(boxes, scores, 0.7f, Nms.Overlap.MIN));
    }

    @Test
    void continuousIou() {
        assertEquals(1f / 7f, Nms.iou(new float[] {0, 0, 2, 2}, new float[] {1, 1, 3, 3}), 1e-6);
        assertEquals(0f, Nms.iou(new float[] {0, 0, 1, 1}, new float[] {2, 2, 3, 3}));
    }
}

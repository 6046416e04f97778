package io.facestream.ops.bench;

import io.facestream.embed.detect.Box;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Detections of one frame matched one-to-one to its ground-truth faces, as detection benchmarks (PASCAL VOC, WIDER
 * FACE) count them: pairs are taken greedily by descending IoU, each face and each detection at most once, and only
 * at IoU ≥ {@link #IOU}. Faces smaller than {@code minSide} (max of width and height) are "ignore" regions: missing
 * one is not a miss, and a detection that matches one is neither a true nor a false positive (a detector that finds
 * faces below the size the benchmark grades is not penalised for it).
 *
 * @param truthFor      for each detection, the index of the ground-truth face it matched, or −1
 * @param graded        ground-truth faces of at least {@code minSide}
 * @param found         graded faces matched by a detection (true positives)
 * @param falsePositive detections that matched no face at all
 */
public record DetectionMatch(int[] truthFor, int graded, int found, int falsePositive) {
    public static final double IOU = 0.5;

    public static DetectionMatch of(List<Box> detections, List<Box> truth, double minSide) {
        record Pair(int d, int t, double iou) {}
        List<Pair> pairs = new ArrayList<>();
        for (int d = 0; d < detections.size(); d++) {
            for (int t = 0; t < truth.size(); t++) {
                double iou = iou(detections.get(d), truth.get(t));
                if (iou >= IOU) {
                    pairs.add(new Pair(d, t, iou));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(Pair::iou).reversed());
        int[] truthFor = new int[detections.size()];
        Arrays.fill(truthFor, -1);
        boolean[] taken = new boolean[truth.size()];
        for (Pair p : pairs) {
            if (truthFor[p.d()] < 0 && !taken[p.t()]) {
                truthFor[p.d()] = p.t();
                taken[p.t()] = true;
            }
        }
        int graded = 0, found = 0, falsePositive = 0;
        for (int t = 0; t < truth.size(); t++) {
            if (side(truth.get(t)) >= minSide) {
                graded++;
                if (taken[t]) {
                    found++;
                }
            }
        }
        for (int m : truthFor) {
            if (m < 0) {
                falsePositive++;
            }
        }
        return new DetectionMatch(truthFor, graded, found, falsePositive);
    }

    /** Detections that count for precision: matches of graded faces plus false positives. */
    public int gradedDetections() {
        return found + falsePositive;
    }

    static double side(Box b) {
        return Math.max(b.width(), b.height());
    }

    public static double iou(Box a, Box b) {
        double x1 = Math.max(a.x(), b.x());
        double y1 = Math.max(a.y(), b.y());
        double x2 = Math.min(a.x() + a.width(), b.x() + b.width());
        double y2 = Math.min(a.y() + a.height(), b.y() + b.height());
        double inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
        double union = a.area() + (double) b.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

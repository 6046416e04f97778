package io.facestream.embed.detect.blazeface;

import io.facestream.embed.detect.Nms;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns BlazeFace's raw heads into detections: sigmoid scores, anchor-relative box and keypoint decoding, and
 * MediaPipe's weighted NMS (overlapping detections are blended, weighted by score, instead of discarded), which
 * steadies boxes and keypoints between video frames.
 */
final class BlazeFaceDecoder {
    /** Values per anchor in the regressor head: dx, dy, w, h, then 6 keypoints (x, y). */
    static final int VALUES = 16;

    static final int KEYPOINTS = 6;

    private BlazeFaceDecoder() {}

    /**
     * A decoded detection in normalised input coordinates.
     *
     * @param box       {x1, y1, x2, y2}
     * @param keypoints {x0, y0, ..., x5, y5}: left eye, right eye, nose, mouth centre, left ear, right ear (keijiro's names)
     */
    record Raw(float[] box, float[] keypoints, float score) {}

    /** Decodes one head: logits [n], regressors [n·16] for the given anchor centres and input size in pixels. */
    static List<Raw> decode(float[] logits, float[] regressors, float[][] anchors, float inputSize, float minScore) {
        List<Raw> out = new ArrayList<>();
        for (int i = 0; i < anchors.length; i++) {
            // Clipping the logit keeps exp() finite, as MediaPipe's score_clipping_thresh does.
            float logit = Math.max(-100f, Math.min(100f, logits[i]));
            float score = (float) (1 / (1 + Math.exp(-logit)));
            if (score < minScore) {
                continue;
            }
            int r = i * VALUES;
            float cx = anchors[i][0] + regressors[r] / inputSize;
            float cy = anchors[i][1] + regressors[r + 1] / inputSize;
            float w = regressors[r + 2] / inputSize;
            float h = regressors[r + 3] / inputSize;
            float[] kp = new float[2 * KEYPOINTS];
            for (int k = 0; k < KEYPOINTS; k++) {
                kp[2 * k] = anchors[i][0] + regressors[r + 4 + 2 * k] / inputSize;
                kp[2 * k + 1] = anchors[i][1] + regressors[r + 5 + 2 * k] / inputSize;
            }
            out.add(new Raw(new float[] {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}, kp, score));
        }
        return out;
    }

    /**
     * Weighted NMS: take the best remaining detection, gather every remaining one with IoU ≥ threshold (itself
     * included), output their score-weighted mean box and keypoints with the best score; repeat up to maxFaces.
     */
    static List<Raw> weightedNms(List<Raw> detections, float iouThreshold, int maxFaces) {
        List<Raw> remaining = new ArrayList<>(detections);
        remaining.sort(Comparator.comparingDouble((Raw d) -> -d.score()));
        List<Raw> out = new ArrayList<>();
        while (!remaining.isEmpty() && out.size() < maxFaces) {
            Raw best = remaining.get(0);
            List<Raw> group = new ArrayList<>();
            List<Raw> rest = new ArrayList<>();
            for (Raw d : remaining) {
                (Nms.iou(best.box(), d.box()) >= iouThreshold ? group : rest).add(d);
            }
            float[] box = new float[4];
            float[] kp = new float[2 * KEYPOINTS];
            float total = 0;
            for (Raw d : group) {
                total += d.score();
                for (int k = 0; k < 4; k++) {
                    box[k] += d.score() * d.box()[k];
                }
                for (int k = 0; k < kp.length; k++) {
                    kp[k] += d.score() * d.keypoints()[k];
                }
            }
            for (int k = 0; k < 4; k++) {
                box[k] /= total;
            }
            for (int k = 0; k < kp.length; k++) {
                kp[k] /= total;
            }
            out.add(new Raw(box, kp, best.score()));
            remaining = rest;
        }
        return out;
    }
}

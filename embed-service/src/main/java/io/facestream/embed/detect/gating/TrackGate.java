package io.facestream.embed.detect.gating;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one camera's faces will be in its next frame: each face found recently is a track with its last box and a
 * constant velocity (the move of its centre between its last two detections); its region is the union of the last box
 * and the predicted one, grown by a margin of the box's larger side. A track not found for more than {@code keep}
 * searched frames is dropped. Matching is greedy by centre distance, which is enough at the few faces a camera
 * frame holds. One instance per camera; not thread-safe.
 */
public final class TrackGate {
    /** A detection continues a track when its centre lies within this many track sides of the predicted centre. */
    static final double MATCH_DISTANCE = 1.0;

    private final double margin;
    private final int keep;
    private final List<Track> tracks = new ArrayList<>();

    private static final class Track {
        float cx, cy, side, vx, vy;
        int misses;

        Track(Box b) {
            cx = b.x() + b.width() / 2;
            cy = b.y() + b.height() / 2;
            side = Math.max(b.width(), b.height());
        }

        float px() {
            return cx + vx;
        }

        float py() {
            return cy + vy;
        }
    }

    /**
     * @param margin border around a face's predicted box, as a fraction of the box's larger side
     * @param keep   searched frames a track survives without being found
     */
    public TrackGate(double margin, int keep) {
        if (!(margin >= 0) || keep < 0) {
            throw new IllegalArgumentException("track margin must be >= 0 and keep >= 0, got " + margin + ", " + keep);
        }
        this.margin = margin;
        this.keep = keep;
    }

    /** The regions to search in the next frame of a {@code w}×{@code h} camera; none without tracks. */
    public List<Region> predicted(int w, int h) {
        List<Region> out = new ArrayList<>(tracks.size());
        for (Track t : tracks) {
            float half = t.side / 2;
            int grow = (int) Math.ceil(margin * t.side);
            Region last = Region.ofCorners(
                    (int) Math.floor(t.cx - half), (int) Math.floor(t.cy - half),
                    (int) Math.ceil(t.cx + half), (int) Math.ceil(t.cy + half));
            Region next = Region.ofCorners(
                    (int) Math.floor(t.px() - half), (int) Math.floor(t.py() - half),
                    (int) Math.ceil(t.px() + half), (int) Math.ceil(t.py() + half));
            if (last == null || next == null) {
                continue;
            }
            Region r = last.union(next).grow(grow, w, h);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Takes the faces found in the frame just searched: each continues the nearest free track (its velocity becomes
     * the move since that track's last box) or starts one; a track nobody continued is carried forward along its
     * velocity and dropped after {@code keep} such frames.
     */
    public void update(List<DetectedFace> found) {
        boolean[] taken = new boolean[tracks.size()];
        List<Track> next = new ArrayList<>();
        for (DetectedFace f : found) {
            Box b = f.box();
            float cx = b.x() + b.width() / 2;
            float cy = b.y() + b.height() / 2;
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int i = 0; i < tracks.size(); i++) {
                Track t = tracks.get(i);
                double d = Math.hypot(cx - t.px(), cy - t.py());
                if (!taken[i] && d <= MATCH_DISTANCE * Math.max(t.side, 1) && d < bestD) {
                    best = i;
                    bestD = d;
                }
            }
            Track t = new Track(b);
            if (best >= 0) {
                taken[best] = true;
                Track old = tracks.get(best);
                t.vx = cx - old.cx;
                t.vy = cy - old.cy;
            }
            next.add(t);
        }
        for (int i = 0; i < tracks.size(); i++) {
            Track t = tracks.get(i);
            if (!taken[i] && t.misses < keep) {
                t.cx = t.px();
                t.cy = t.py();
                t.misses++;
                next.add(t);
            }
        }
        tracks.clear();
        tracks.addAll(next);
    }

    /** The number of live tracks. */
    public int size() {
        return tracks.size();
    }

    public void reset() {
        tracks.clear();
    }
}

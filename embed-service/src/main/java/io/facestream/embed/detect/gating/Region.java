package io.facestream.embed.detect.gating;

import java.util.ArrayList;
import java.util.List;

/**
 * A rectangle of a frame to search, in whole frame pixels: top-left corner and size.
 *
 * @param x      left column
 * @param y      top row
 * @param width  columns, at least 1
 * @param height rows, at least 1
 */
public record Region(int x, int y, int width, int height) {
    public Region {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a region needs a positive size, got " + width + "x" + height);
        }
    }

    /** The region between two corners (exclusive right/bottom), or null when they enclose no pixel. */
    static Region ofCorners(int x1, int y1, int x2, int y2) {
        return x2 > x1 && y2 > y1 ? new Region(x1, y1, x2 - x1, y2 - y1) : null;
    }

    public int right() {
        return x + width;
    }

    public int bottom() {
        return y + height;
    }

    public long area() {
        return (long) width * height;
    }

    /** This region grown by {@code pixels} on every side and cut to a frame of {@code w}×{@code h}; null if outside. */
    public Region grow(int pixels, int w, int h) {
        return ofCorners(
                Math.max(0, x - pixels),
                Math.max(0, y - pixels),
                Math.min(w, right() + pixels),
                Math.min(h, bottom() + pixels));
    }

    /** True when the two regions share at least one pixel. */
    public boolean overlaps(Region o) {
        return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
    }

    /** The smallest region holding both. */
    public Region union(Region o) {
        return new Region(
                Math.min(x, o.x),
                Math.min(y, o.y),
                Math.max(right(), o.right()) - Math.min(x, o.x),
                Math.max(bottom(), o.bottom()) - Math.min(y, o.y));
    }

    /**
     * Overlapping regions merged into their bounding boxes until none overlap, so that no pixel is searched twice
     * and a face on the seam of two regions is seen whole in one crop. Repeats until stable, because a merged box can
     * reach a region neither part touched.
     */
    public static List<Region> merge(List<Region> regions) {
        List<Region> out = new ArrayList<>(regions);
        boolean merged = true;
        while (merged) {
            merged = false;
            outer:
            for (int i = 0; i < out.size(); i++) {
                for (int j = i + 1; j < out.size(); j++) {
                    if (out.get(i).overlaps(out.get(j))) {
                        out.set(i, out.get(i).union(out.get(j)));
                        out.remove(j);
                        merged = true;
                        break outer;
                    }
                }
            }
        }
        return out;
    }
}

package io.facestream.match.track;

/** A face box in frame pixels, top-left origin; the tracker's notion of "where" a face is. */
public record Region(float x, float y, float width, float height) {

    public Region {
        if (!(width >= 0) || !(height >= 0)) {
            throw new IllegalArgumentException("box has negative or NaN size: " + width + "x" + height);
        }
    }

    public double area() {
        return (double) width * height;
    }

    /** Intersection over union, 0 for disjoint boxes (and for two empty boxes). */
    public double iou(Region other) {
        double ix = Math.min(x + width, other.x + other.width) - Math.max(x, other.x);
        double iy = Math.min(y + height, other.y + other.height) - Math.max(y, other.y);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

package io.facestream.embed.detect;

/** An axis-aligned face box in image pixels: top-left corner and size. */
public record Box(float x, float y, float width, float height) {
    public Box {
        if (!(width >= 0) || !(height >= 0) || !Float.isFinite(x) || !Float.isFinite(y)) {
            throw new IllegalArgumentException("invalid box x=" + x + " y=" + y + " w=" + width + " h=" + height);
        }
    }

    public static Box fromCorners(float x1, float y1, float x2, float y2) {
        return new Box(x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1));
    }

    public float area() {
        return width * height;
    }

    public boolean contains(Point p) {
        return p.x() >= x && p.x() <= x + width && p.y() >= y && p.y() <= y + height;
    }
}

package io.facestream.embed.align;

import io.facestream.embed.detect.Point;
import java.util.List;

/**
 * The 5-point template of a 112×112 aligned face (SphereFace/face.evoLVe 96×112 template shifted by 8 px in x), as
 * AdaFace and ArcFace models were trained on. Order: image-left eye, image-right eye, nose tip, image-left mouth
 * corner, image-right mouth corner. Values are float32, as the reference implementation casts them.
 */
public final class ReferenceLandmarks {
    public static final int SIZE = 112;

    public static final List<Point> ARCFACE_112 = List.of(
            new Point(38.29459953f, 51.69630051f),
            new Point(73.53179932f, 51.50139999f),
            new Point(56.02519989f, 71.73660278f),
            new Point(41.54930115f, 92.36550140f),
            new Point(70.72990036f, 92.20410156f));

    private ReferenceLandmarks() {}
}

package io.facestream.eval.footage;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.Point;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.ijbs.protocol.Media;
import java.util.List;

/**
 * One labelled face of {@code cs6_metadata.csv}: whose it is, where (media and decoded frame index, −1 for a still),
 * its box and its 5 landmarks in template order (measured, or the template placed in the box when the metadata has
 * no landmark columns).
 */
public record GroundTruthFace(int subject, Media media, int frame, Box box, List<Point> landmarks) {
    public GroundTruthFace {
        landmarks = List.copyOf(landmarks);
    }

    /** The reference's aligned-face name for this face: {@code <S>/videos_<V>_<F>.jpg} or {@code <S>/img_<ID>.jpg}. */
    public FacePath path() {
        return switch (media) {
            case Media.Video v -> new FacePath.VideoFrame(subject, v.id(), Integer.toString(frame));
            case Media.Still s -> new FacePath.Still(subject, s.id());
        };
    }

    /** Face size as the reference squares the crop: max(width, height). */
    public double side() {
        return Math.max(box.width(), box.height());
    }
}

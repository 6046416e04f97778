package io.facestream.ops.demo;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Match;
import io.facestream.embed.detect.Box;
import io.facestream.eval.footage.GroundTruthFace;
import io.facestream.match.api.faces.FaceRecords;
import java.util.List;
import java.util.Optional;

/**
 * Whose track a decision is about: the track's best face (the record its {@code best_face} names) is looked up in
 * the footage's ground truth at its frame; the labelled face it overlaps most, if the overlap is clear, is the person.
 */
final class TrackTruth {
    static final double MIN_IOU = 0.3;

    /** A decision with the person it is about; {@code subject} is empty when no labelled face matches. */
    record Attributed(Match match, Optional<Integer> subject, String video, long frame) {}

    private final DemoFootage footage;
    private final FaceRecords faces;
    private final String cameraPrefix;

    TrackTruth(DemoFootage footage, FaceRecords faces, String cameraPrefix) {
        this.footage = footage;
        this.faces = faces;
        this.cameraPrefix = cameraPrefix;
    }

    Attributed attribute(Match m) {
        String video = m.cameraId().substring(cameraPrefix.length());
        String[] ref = m.bestFace() == null ? new String[0] : m.bestFace().split("/");
        if (ref.length != 3 || !ref[0].equals("faces")) {
            return new Attributed(m, Optional.empty(), video, -1);
        }
        Optional<FaceObservation> face = faces.read(Integer.parseInt(ref[1]), Long.parseLong(ref[2]));
        if (face.isEmpty()) {
            return new Attributed(m, Optional.empty(), video, -1);
        }
        FaceObservation o = face.get();
        Box seen = new Box(
                o.getBox().getX(),
                o.getBox().getY(),
                o.getBox().getWidth(),
                o.getBox().getHeight());
        List<GroundTruthFace> labelled = footage.faces(video, (int) o.getFrameSeq());
        Integer best = null;
        double bestIou = MIN_IOU;
        for (GroundTruthFace f : labelled) {
            double iou = iou(seen, f.box());
            if (iou >= bestIou) {
                bestIou = iou;
                best = f.subject();
            }
        }
        return new Attributed(m, Optional.ofNullable(best), video, o.getFrameSeq());
    }

    static double iou(Box a, Box b) {
        double x1 = Math.max(a.x(), b.x()), y1 = Math.max(a.y(), b.y());
        double x2 = Math.min(a.x() + a.width(), b.x() + b.width()),
                y2 = Math.min(a.y() + a.height(), b.y() + b.height());
        double inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
        double union = a.area() + b.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

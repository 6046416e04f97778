package io.facestream.synth;

import java.util.Locale;

/**
 * Ground truth of one face in one image or video frame: the box (top-left, width, height) and the 5 landmarks, in
 * pixels of that image. Exact, because the generator placed the face there.
 *
 * @param frame     0-based decoded frame index for videos, −1 for stills
 * @param occlusion fraction of the box hidden behind scene objects (0 for stills)
 */
public record FaceLabel(
        int subject,
        String file,
        int frame,
        double x,
        double y,
        double w,
        double h,
        double[] landmarks,
        double occlusion) {

    public static final String HEADER = "SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT,"
            + "LEFT_EYE_X,LEFT_EYE_Y,RIGHT_EYE_X,RIGHT_EYE_Y,NOSE_X,NOSE_Y,"
            + "MOUTH_LEFT_X,MOUTH_LEFT_Y,MOUTH_RIGHT_X,MOUTH_RIGHT_Y,OCCLUSION";

    /** Labels a face drawn through {@code toImage}: box and landmarks follow the same transform as the pixels. */
    public static FaceLabel placed(
            int subject, String file, int frame, Similarity toImage, double[] canonicalLandmarks, Backdrop scene) {
        double[] b = Canonical.box();
        double cx = toImage.x((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
        double cy = toImage.y((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
        double side = (b[2] - b[0]) * toImage.scale();
        double occ = scene == null ? 0 : scene.occlusion(cx - side / 2, cy - side / 2, side, side);
        return new FaceLabel(
                subject, file, frame, cx - side / 2, cy - side / 2, side, side, toImage.apply(canonicalLandmarks), occ);
    }

    /** One metadata row; 2 decimals in a fixed locale so that a seed always gives the same bytes. */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(subject).append(',').append(file).append(',').append(frame < 0 ? "" : Integer.toString(frame));
        for (double v : new double[] {x, y, w, h}) {
            sb.append(',').append(String.format(Locale.ROOT, "%.2f", v));
        }
        for (double v : landmarks) {
            sb.append(',').append(String.format(Locale.ROOT, "%.2f", v));
        }
        return sb.append(',')
                .append(String.format(Locale.ROOT, "%.3f", occlusion))
                .toString();
    }
}

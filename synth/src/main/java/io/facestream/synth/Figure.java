package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A person: hair/head silhouette and torso in their clothing colours, then the face sprite on top. Everything is
 * sized from the face box, so a far person is small all over. Returns the face's ground truth.
 */
public record Figure(int subject, Scalar clothes, Scalar hair) {

    public FaceLabel draw(Mat image, FaceSprite face, Similarity toImage, String file, int frame, Backdrop scene) {
        double s = toImage.scale() * Canonical.BOX_SIZE;
        double cx = toImage.x(Canonical.SIZE / 2.0, 86), cy = toImage.y(Canonical.SIZE / 2.0, 86);
        ellipse(
                image,
                new Point((int) Math.round(cx), (int) Math.round(cy + 1.55 * s)),
                new Size((int) Math.round(0.95 * s), (int) Math.round(1.0 * s)),
                0,
                180,
                360,
                clothes,
                FILLED,
                LINE_AA,
                0);
        ellipse(
                image,
                new Point((int) Math.round(cx), (int) Math.round(cy - 0.08 * s)),
                new Size((int) Math.max(1, Math.round(0.6 * s)), (int) Math.max(1, Math.round(0.78 * s))),
                Math.toDegrees(Math.atan2(toImage.b(), toImage.a())),
                0,
                360,
                hair,
                FILLED,
                LINE_AA,
                0);
        face.draw(image, toImage);
        return FaceLabel.placed(subject, file, frame, toImage, face.landmarks(), scene);
    }

    /** The transform putting the canonical face box centre at {@code (cx, cy)} with box width {@code size}. */
    public static Similarity placement(double cx, double cy, double size, double roll) {
        double k = size / Canonical.BOX_SIZE;
        Similarity rot = Similarity.of(k, roll, 0, 0);
        double[] b = Canonical.box();
        double bx = (b[0] + b[2]) / 2, by = (b[1] + b[3]) / 2;
        return new Similarity(rot.a(), rot.b(), cx - rot.x(bx, by), cy - rot.y(bx, by));
    }
}

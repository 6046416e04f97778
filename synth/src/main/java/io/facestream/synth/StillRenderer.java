package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Enrolment stills (booking-station photos): a plain backdrop, the face large and sharp (box ≈ 45% of the image),
 * JPEG quality 95. Still 0 of a subject is frontal with even light — the single-image gallery; stills 1…3 add a
 * moderate head turn and lighting change — together with still 0 they form the booking gallery.
 */
public final class StillRenderer {
    private final SynthSpec spec;

    public StillRenderer(SynthSpec spec) {
        this.spec = spec;
    }

    public FaceLabel render(Identity identity, int k) {
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 104_729L + identity.subject() * 16L + k);
        int size = SynthSpec.STILL_SIZE;
        Look look = identity.looks().get(k % identity.looks().size());
        Appearance ap = k == 0 ? Appearance.FRONTAL : Appearance.random(rnd, 0.5);
        String file = SynthSpec.stillFile(identity.subject(), k);
        int grey = 170 + rnd.nextInt(60);
        Mat image = new Mat(size, size, CV_8UC3, new Scalar(grey, grey, grey + rnd.nextInt(20), 0));
        try (FaceSprite sprite = new FaceSprite(look, ap)) {
            double face = size * (0.42 + 0.06 * rnd.nextDouble());
            Similarity place = Figure.placement(
                    size / 2.0 + 6 * (rnd.nextDouble() - 0.5),
                    size * 0.45,
                    face,
                    Math.toRadians(k == 0 ? 0 : 6 * (rnd.nextDouble() - 0.5)));
            FaceLabel label = new Figure(identity.subject(), VideoRenderer.colour(rnd), VideoRenderer.hair(rnd))
                    .draw(image, sprite, place, file, -1, null);
            Path path = spec.out().resolve(file);
            if (!imwrite(path.toString(), image, new IntPointer(IMWRITE_JPEG_QUALITY, 95))) {
                throw new IllegalStateException("cannot write " + path);
            }
            return label;
        } finally {
            image.close();
        }
    }
}

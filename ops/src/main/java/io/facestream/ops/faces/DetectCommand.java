package io.facestream.ops.faces;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.ops.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code facestream detect IMAGE}: faces with boxes, scores and 5 landmarks; optionally drawn into a copy of the image. */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = "Detect faces in an image: boxes, scores, 5 landmarks (models are pulled on first use).")
public final class DetectCommand implements Callable<Integer> {
    /** Landmark colours (BGR): eyes blue/green, nose red, mouth corners magenta/cyan. */
    private static final double[][] COLOURS = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 0, 255}, {255, 255, 0}};

    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "JPEG, PNG, BMP or WebP file")
    Path image;

    @Option(
            names = "--detector",
            paramLabel = "NAME",
            description = "mtcnn (default), blazeface (= blazeface-back), blazeface-front, or an installed detector")
    String detector;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "write the image with boxes and landmarks drawn (format from the extension)")
    Path out;

    @Option(names = "--json", description = "print JSON (documented in docs/face-pipeline.md) instead of text")
    boolean json;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu, cuda or cuda:N")
    String device;

    /** What {@code --json} prints. */
    public record Report(
            String image, int width, int height, String detector, double elapsedMs, List<FaceJson> faces) {}

    @Override
    public Integer call() throws Exception {
        FacestreamConfig config = options.load(FaceModels.flags(detector, device, null));
        try (FaceDetector d = FaceModels.detector(config);
                Mat bgr = FaceModels.decoder(config).read(image)) {
            long start = System.nanoTime();
            List<DetectedFace> faces = d.detect(bgr);
            double ms = (System.nanoTime() - start) / 1e6;
            if (out != null) {
                draw(bgr, faces);
                if (!imwrite(out.toString(), bgr)) {
                    throw new IllegalArgumentException(
                            "cannot write " + out + " (unknown image extension or unwritable path)");
                }
            }
            if (json) {
                System.out.println(Json.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(new Report(
                                image.toString(),
                                bgr.cols(),
                                bgr.rows(),
                                d.id(),
                                Math.round(ms * 10) / 10.0,
                                FaceJson.all(faces))));
            } else if (faces.isEmpty()) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: no face found (%dx%d, %s, %.1f ms)%n",
                        image,
                        bgr.cols(),
                        bgr.rows(),
                        d.id(),
                        ms);
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "%s: %d face%s (%dx%d, %s, %.1f ms)%n",
                        image,
                        faces.size(),
                        faces.size() == 1 ? "" : "s",
                        bgr.cols(),
                        bgr.rows(),
                        d.id(),
                        ms);
                for (int i = 0; i < faces.size(); i++) {
                    System.out.printf(Locale.ROOT, "  %2d  %s%n", i, FaceJson.describe(faces.get(i)));
                }
            }
            if (out != null && !json) {
                System.out.println("annotated image written to " + out);
            }
        }
        return 0;
    }

    static void draw(Mat bgr, List<DetectedFace> faces) {
        int thickness = Math.max(1, Math.round(Math.max(bgr.cols(), bgr.rows()) / 500f));
        for (DetectedFace f : faces) {
            try (Scalar green = new Scalar(0, 255, 0, 0);
                    org.bytedeco.opencv.opencv_core.Point tl = new org.bytedeco.opencv.opencv_core.Point(
                            Math.round(f.box().x()), Math.round(f.box().y()));
                    org.bytedeco.opencv.opencv_core.Point br = new org.bytedeco.opencv.opencv_core.Point(
                            Math.round(f.box().x() + f.box().width()),
                            Math.round(f.box().y() + f.box().height()))) {
                rectangle(bgr, tl, br, green, thickness, LINE_AA, 0);
                putText(
                        bgr,
                        String.format(Locale.ROOT, "%.2f", f.score()),
                        tl,
                        FONT_HERSHEY_SIMPLEX,
                        0.4 * thickness,
                        green,
                        thickness,
                        LINE_AA,
                        false);
            }
            for (int k = 0; k < f.landmarks().size(); k++) {
                double[] c = COLOURS[k];
                try (Scalar colour = new Scalar(c[0], c[1], c[2], 0);
                        org.bytedeco.opencv.opencv_core.Point p = new org.bytedeco.opencv.opencv_core.Point(
                                Math.round(f.landmarks().get(k).x()),
                                Math.round(f.landmarks().get(k).y()))) {
                    circle(bgr, p, 2 * thickness, colour, -1, LINE_AA, 0);
                }
            }
        }
    }
}

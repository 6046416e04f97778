package io.facestream.trainer.testing;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import io.facestream.embed.detect.mtcnn.MtcnnSettings;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Real faces for trainer tests: every face MTCNN finds in a group photograph, aligned to 112×112, as its own
 * identity with two images (the crop and its mirror image), in the image-folder layout.
 */
public final class PhotoFaces {
    private PhotoFaces() {}

    /** @return the folder {@code root/face<NN>/{0,1}.jpg}, one identity per detected face */
    public static Path folder(Path root, Path photo, ModelStore.InstalledModel mtcnn) {
        Mat image = imread(photo.toString());
        if (image.empty()) {
            throw new IllegalArgumentException("cannot read photo " + photo);
        }
        FaceAligner aligner = new FaceAligner();
        try (MtcnnDetector detector =
                new MtcnnDetector(mtcnn, new OnnxSessions(Device.CPU, 1), MtcnnSettings.ADAFACE)) {
            List<DetectedFace> faces = detector.detect(image);
            for (int i = 0; i < faces.size(); i++) {
                Path dir = Files.createDirectories(root.resolve(String.format("face%02d", i)));
                try (Mat crop = aligner.align(image, faces.get(i));
                        Mat mirrored = new Mat()) {
                    flip(crop, mirrored, 1);
                    imwrite(dir.resolve("0.jpg").toString(), crop);
                    imwrite(dir.resolve("1.jpg").toString(), mirrored);
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            image.close();
        }
    }
}

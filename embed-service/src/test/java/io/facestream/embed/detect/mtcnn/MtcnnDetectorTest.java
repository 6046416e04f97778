package io.facestream.embed.detect.mtcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceChecks;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MtcnnDetectorTest {
    private static MtcnnDetector mtcnn;

    @BeforeAll
    static void open() {
        mtcnn = new MtcnnDetector(TestModels.get("mtcnn"), new OnnxSessions(Device.CPU, 1), MtcnnSettings.ADAFACE);
    }

    @AfterAll
    static void close() {
        if (mtcnn != null) {
            mtcnn.close();
        }
    }

    @ParameterizedTest(name = "{0} has at least {1} faces")
    // counts: the faces turned towards the camera (sample2: the woman in the middle looks down; the crowd is the six
    // photographs tiled at a third of their size: 21 faces of 55-100 px), allowing one miss in the big groups
    @CsvSource({
        "sample1.jpg, 3",
        "sample2.jpg, 2",
        "sample3.jpg, 3",
        "sample4.jpg, 4",
        "sample5.jpg, 4",
        "sample6.jpg, 4",
        "crowd, 19"
    })
    void groupPhotosGiveFacesWithLandmarksInsideTheirBoxesInTemplateOrder(String photo, int atLeast) {
        try (Mat img = Photos.read(photo.equals("crowd") ? Photos.crowd() : Photos.group(photo))) {
            List<DetectedFace> faces = mtcnn.detect(img);
            assertTrue(faces.size() >= atLeast, photo + ": " + faces.size() + " faces");
            for (DetectedFace f : faces) {
                assertTrue(f.score() > MtcnnSettings.ADAFACE.thresholds()[2], photo + " " + f);
                FaceChecks.assertPlausible(f, photo);
            }
            for (int i = 1; i < faces.size(); i++) {
                assertTrue(faces.get(i - 1).score() >= faces.get(i).score(), "faces by descending score");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SamplePhotos.Portrait.class)
    void portraitsGiveOneDominantFace(SamplePhotos.Portrait photo) {
        try (Mat img = Photos.read(photo)) {
            List<DetectedFace> faces = mtcnn.detect(img);
            assertTrue(!faces.isEmpty(), photo + ": no face");
            DetectedFace largest = faces.stream()
                    .max(java.util.Comparator.comparingDouble(f -> f.box().area()))
                    .orElseThrow();
            FaceChecks.assertPlausible(largest, photo.name());
            Box b = largest.box();
            assertTrue(b.width() > 0.2 * Math.min(img.cols(), img.rows()), photo + " face too small: " + b);
        }
    }

    @Test
    void imageWithoutAFaceGivesAnEmptyList() {
        try (Mat gray =
                new Mat(480, 640, org.bytedeco.opencv.global.opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0))) {
            assertEquals(List.of(), mtcnn.detect(gray));
        }
        try (Mat tiny = new Mat(8, 8, org.bytedeco.opencv.global.opencv_core.CV_8UC3, new Scalar(0, 0, 0, 0))) {
            assertEquals(List.of(), mtcnn.detect(tiny), "smaller than P-Net's window");
        }
    }
}

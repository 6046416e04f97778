package io.facestream.embed.detect.blazeface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceChecks;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlazeFaceDetectorTest {
    private static final OnnxSessions CPU = new OnnxSessions(Device.CPU, 1);

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "blazeface-back, SAME_A",
        "blazeface-back, SAME_B",
        "blazeface-back, OTHER",
        "blazeface-front, SAME_A",
        "blazeface-front, OTHER"
    })
    void portraitsGiveOneFaceWithKeypointsInTemplateOrder(String model, SamplePhotos.Portrait photo) {
        try (BlazeFaceDetector d = new BlazeFaceDetector(TestModels.get(model), CPU, 0.75f, 0.3f, 64);
                Mat img = Photos.read(photo)) {
            List<DetectedFace> faces = d.detect(img);
            assertEquals(1, faces.size(), photo + ": " + faces);
            DetectedFace f = faces.get(0);
            assertEquals(LandmarkSource.MOUTH_ESTIMATED, f.source());
            FaceChecks.assertPlausible(f, model + " " + photo);
        }
    }

    @Test
    void emptyFrameGivesNoFace() {
        try (BlazeFaceDetector d = new BlazeFaceDetector(TestModels.get("blazeface-back"), CPU, 0.75f, 0.3f, 64);
                Mat gray = new Mat(
                        480, 640, org.bytedeco.opencv.global.opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0))) {
            assertEquals(List.of(), d.detect(gray));
        }
    }

    @Test
    void aModelWithoutBlazeFaceHeadsIsRefused() {
        ModelException e = assertThrows(
                ModelException.class,
                () -> new BlazeFaceDetector(TestModels.get("mobilefacenet"), CPU, 0.75f, 0.3f, 64));
        assertTrue(e.getMessage().contains("does not have BlazeFace's SSD heads"), e.getMessage());
    }
}

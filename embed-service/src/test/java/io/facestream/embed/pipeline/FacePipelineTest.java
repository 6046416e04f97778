package io.facestream.embed.pipeline;

import static io.facestream.embed.model.zoo.SamplePhotos.Portrait.OTHER;
import static io.facestream.embed.model.zoo.SamplePhotos.Portrait.SAME_A;
import static io.facestream.embed.model.zoo.SamplePhotos.Portrait.SAME_B;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MTCNN → alignment → MobileFaceNet on real photographs. */
class FacePipelineTest {
    private static FacePipeline pipeline;

    @BeforeAll
    static void open() {
        pipeline = FacePipeline.open(FaceSettings.defaults(), TestModels::get);
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static Embedding largest(Mat img, String what) {
        try (Face f = pipeline.largest(img).orElseThrow(() -> new AssertionError(what + ": no face"))) {
            assertEquals(192, f.embedding().size());
            assertEquals(112, f.crop().cols());
            return f.embedding();
        }
    }

    @Test
    void samePersonScoresFarAboveDifferentPeople() {
        List<Embedding> e = new ArrayList<>();
        for (SamplePhotos.Portrait p : List.of(SAME_A, SAME_B, OTHER)) {
            try (Mat img = Photos.read(p)) {
                e.add(largest(img, p.name()));
            }
        }
        double same = e.get(0).cosine(e.get(1));
        double diff13 = e.get(0).cosine(e.get(2));
        double diff23 = e.get(1).cosine(e.get(2));
        assertTrue(same > 0.5, "SAME_A vs SAME_B (same person, two photographs): " + same);
        assertTrue(same - Math.max(diff13, diff23) > 0.3, "same " + same + " vs different " + diff13 + ", " + diff23);
    }

    @Test
    void sameFaceSurvivesCropFlipAndScale() {
        try (Mat img = Photos.read(OTHER)) {
            Embedding original = largest(img, "OTHER");
            // crop: keep the middle 70% of the frame, the face stays inside
            try (Rect r = new Rect(
                            img.cols() * 15 / 100,
                            img.rows() * 10 / 100,
                            img.cols() * 70 / 100,
                            img.rows() * 80 / 100);
                    Mat roi = new Mat(img, r);
                    Mat cropped = roi.clone()) {
                assertHigh(original, largest(cropped, "cropped"), "crop");
            }
            try (Mat mirrored = new Mat()) {
                flip(img, mirrored, 1);
                assertHigh(original, largest(mirrored, "mirrored"), "horizontal flip");
            }
            try (Mat small = new Mat();
                    Size s = new Size(img.cols() / 3, img.rows() / 3)) {
                resize(img, small, s, 0, 0, INTER_AREA);
                assertHigh(original, largest(small, "scaled"), "1/3 scale");
            }
        }
    }

    private static void assertHigh(Embedding a, Embedding b, String what) {
        double s = a.cosine(b);
        assertTrue(s > 0.75, what + ": cosine " + s);
    }

    @Test
    void batchedEmbeddingsEqualOneByOne() {
        try (Mat img = Photos.read(Photos.crowd())) {
            List<Face> faces = pipeline.process(img);
            try {
                assertTrue(faces.size() > 8);
                for (Face f : faces) {
                    Embedding single = pipeline.embedder().embed(f.crop());
                    assertArrayEquals(single.raw(), f.embedding().raw(), 1e-4f * single.norm());
                    assertEquals(1.0, f.embedding().cosine(f.embedding()), 1e-5);
                }
            } finally {
                faces.forEach(Face::close);
            }
        }
    }
}

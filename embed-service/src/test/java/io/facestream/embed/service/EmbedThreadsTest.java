package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.pipeline.Face;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A batch embedded in parts on several threads gives each crop the embedding one call gives it, in the crops' order. */
class EmbedThreadsTest {
    private static FacePipeline pipeline;
    private static List<Face> faces;
    private static List<Mat> crops;

    @BeforeAll
    static void open() {
        pipeline = FacePipeline.open(FaceSettings.defaults(), TestModels::get);
        try (Mat crowd = Photos.read(Photos.crowd())) {
            faces = pipeline.process(crowd);
        }
        crops = faces.stream().map(Face::crop).toList();
        assertTrue(crops.size() >= 10, "the crowd photo has 21 faces; found " + crops.size());
    }

    @AfterAll
    static void close() {
        if (faces != null) {
            faces.forEach(Face::close);
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void partsOnSeveralThreadsGiveWhatOneCallGives() {
        List<Embedding> whole = pipeline.embedder().embed(crops);
        for (int threads : new int[] {2, 3, 4}) {
            try (EmbedThreads split = new EmbedThreads(threads)) {
                assertSameInOrder(whole, split.embed(pipeline.embedder(), crops), threads + " threads");
            }
        }
    }

    @Test
    void fewerCropsThanThreadsAndNoCrops() {
        List<Mat> two = crops.subList(0, 2);
        List<Embedding> whole = pipeline.embedder().embed(two);
        try (EmbedThreads split = new EmbedThreads(4)) {
            assertSameInOrder(whole, split.embed(pipeline.embedder(), two), "2 crops on 4 threads");
            assertEquals(List.of(), split.embed(pipeline.embedder(), List.of()));
        }
    }

    @Test
    void aPartThatFailsFailsTheBatch() {
        try (EmbedThreads split = new EmbedThreads(3);
                Mat wrongSize = new Mat(50, 50, org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            List<Mat> batch = new java.util.ArrayList<>(crops.subList(0, 6));
            batch.set(1, wrongSize); // in the first part: a helper thread's
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> split.embed(pipeline.embedder(), batch));
            assertTrue(e.getMessage().contains("112x112"), e.getMessage());
        }
    }

    @Test
    void oneThreadPerCoreOnACpuAndOneOnAGpu() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, EmbedThreads.resolve(0, Device.CPU));
        assertEquals(1, EmbedThreads.resolve(0, Device.parse("cuda:0")));
        assertEquals(3, EmbedThreads.resolve(3, Device.parse("cuda")));
        assertThrows(IllegalArgumentException.class, () -> new EmbedThreads(0));
    }

    private static void assertSameInOrder(List<Embedding> expected, List<Embedding> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            // the same crop: as good as identical (a different batch size may sum in another order)
            double self = expected.get(i).cosine(actual.get(i));
            assertTrue(self > 0.99999, what + ": crop " + i + " cosine " + self);
            assertEquals(
                    expected.get(i).norm(),
                    actual.get(i).norm(),
                    1e-3 * expected.get(i).norm(),
                    what);
        }
    }
}

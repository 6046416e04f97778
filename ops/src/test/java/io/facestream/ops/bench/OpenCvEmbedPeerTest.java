package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.ops.cli.CommandFailed;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCV peer's protocol, with the shipped Python script run for real (Debian's python3-opencv, which CI installs)
 * on a tiny ONNX graph whose output is known: y = 2x, any batch size.
 */
class OpenCvEmbedPeerTest {
    private static final long[] SHAPE = {3, 1, 2, 3};

    @Test
    void measuresTheRequestedBatchAndReturnsTheModelsOutput(@TempDir Path dir) throws Exception {
        Path model = doubling(dir.resolve("double.onnx"));
        float[] faces = new float[3 * 6];
        for (int i = 0; i < faces.length; i++) {
            faces[i] = i * 0.5f - 3;
        }
        Path input = dir.resolve("faces.f32");
        OpenCvEmbedPeer.writeInput(input, faces);
        assertEquals(faces.length * 4L, Files.size(input), "raw float32, nothing else");
        try (OpenCvEmbedPeer peer = OpenCvEmbedPeer.start(PythonPeer.python(), model, input, SHAPE)) {
            assertTrue(peer.version().matches("\\d+\\.\\d+.*"), peer.version());
            for (int[] batchThreads : new int[][] {{2, 1}, {3, 2}, {1, 1}}) {
                OpenCvEmbedPeer.Result r = peer.measure(batchThreads[0], batchThreads[1], 1, 4);
                assertEquals(4, r.seconds().size(), "one time per timed run");
                r.seconds().forEach(s -> assertTrue(s > 0 && s < 10, "seconds per batch: " + s));
                float[] expected = new float[6];
                for (int i = 0; i < 6; i++) {
                    expected[i] = 2 * faces[i];
                }
                assertArrayEquals(expected, r.embedding0(), 1e-6f, "the first face's output is the model's: 2x");
            }
            CommandFailed tooBig = assertThrows(CommandFailed.class, () -> peer.measure(4, 1, 0, 1));
            assertTrue(tooBig.getMessage().contains("batch 1..3"), tooBig.getMessage());
        }
    }

    @Test
    void anInputOfTheWrongSizeIsReportedWithBothSizes(@TempDir Path dir) throws Exception {
        Path model = doubling(dir.resolve("double.onnx"));
        Path input = dir.resolve("short.f32");
        OpenCvEmbedPeer.writeInput(input, new float[5]);
        CommandFailed e = assertThrows(
                CommandFailed.class, () -> OpenCvEmbedPeer.start(PythonPeer.python(), model, input, SHAPE));
        assertTrue(e.getMessage().contains("holds 5 floats") && e.getMessage().contains("needs 18"), e.getMessage());
    }

    @Test
    void aMissingPythonSaysWhatToInstall(@TempDir Path dir) {
        CommandFailed e = assertThrows(
                CommandFailed.class,
                () -> OpenCvEmbedPeer.start(
                        dir.resolve("no-such-python").toString(), dir.resolve("m"), dir.resolve("i"), SHAPE));
        assertTrue(e.getMessage().contains("python3-opencv"), e.getMessage());
    }

    /** y = x * 2 over [N, 1, 2, 3] with a symbolic batch axis. */
    private static Path doubling(Path file) throws Exception {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int i = 1; i < SHAPE.length; i++) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(SHAPE[i]));
        }
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))
                .build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder()
                .setName("double")
                .addInitializer(Onnx.TensorProto.newBuilder()
                        .setName("two")
                        .setDataType(1)
                        .addDims(1)
                        .addFloatData(2f))
                .addNode(Onnx.NodeProto.newBuilder()
                        .setOpType("Mul")
                        .addInput("x")
                        .addInput("two")
                        .addOutput("y"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(type))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y").setType(type))
                .build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("facestream-test")
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
        Files.write(file, m.toByteArray());
        return file;
    }
}

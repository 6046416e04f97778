package io.facestream.embed.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import io.facestream.embed.model.convert.tflite.TfliteModel.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Converter rules on small hand-built graphs: refusals name the op and tensor; TF SAME padding is asymmetric. */
class ConverterRulesTest {

    private static TfliteModel.Tensor activation(int index, String name, int... shape) {
        return new TfliteModel.Tensor(index, name, shape, TensorType.FLOAT32, null, false);
    }

    private static TfliteModel.Tensor constant(int index, String name, int[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TfliteModel.Tensor(index, name, shape, TensorType.FLOAT32, b, false);
    }

    @Test
    void anUnsupportedOpIsNamedWithItsTensor() {
        TfliteModel m = new TfliteModel(
                3,
                "test",
                List.of(activation(0, "x", 1, 4), activation(1, "gathered", 1, 4)),
                List.of(new TfliteModel.Operator(
                        0, BuiltinOperator.GATHER, 36, null, 1, new int[] {0}, new int[] {1}, null)),
                new int[] {0},
                new int[] {1});
        ModelException e =
                assertThrows(ModelException.class, () -> TfliteToOnnx.convert(m, ConversionOptions.defaults(), "t"));
        assertTrue(e.getMessage().contains("GATHER") && e.getMessage().contains("'gathered'"), e.getMessage());
    }

    @Test
    void aConvolutionOnANon4dTensorIsALayoutError() {
        TfliteModel m = new TfliteModel(
                3,
                "test",
                List.of(
                        activation(0, "vector", 1, 8),
                        constant(1, "w", new int[] {1, 1, 1, 8}, new float[8]),
                        activation(2, "conv_out", 1, 1, 1, 1)),
                List.of(new TfliteModel.Operator(
                        0, BuiltinOperator.CONV_2D, 3, null, 1, new int[] {0, 1, -1}, new int[] {2}, null)),
                new int[] {0},
                new int[] {2});
        ModelException e =
                assertThrows(ModelException.class, () -> TfliteToOnnx.convert(m, ConversionOptions.defaults(), "t"));
        assertTrue(e.getMessage().contains("CONV_2D") && e.getMessage().contains("'conv_out'"), e.getMessage());
    }

    @Test
    void quantisedWeightsAreRefused() {
        TfliteModel.Tensor q =
                new TfliteModel.Tensor(1, "q_bias", new int[] {4}, TensorType.FLOAT32, ByteBuffer.allocate(16), true);
        TfliteModel m = new TfliteModel(
                3,
                "test",
                List.of(activation(0, "x", 1, 4), q, activation(2, "y", 1, 4)),
                List.of(new TfliteModel.Operator(
                        0, BuiltinOperator.ADD, 0, null, 1, new int[] {0, 1}, new int[] {2}, null)),
                new int[] {0},
                new int[] {2});
        ModelException e =
                assertThrows(ModelException.class, () -> TfliteToOnnx.convert(m, ConversionOptions.defaults(), "t"));
        assertTrue(e.getMessage().contains("quantised") && e.getMessage().contains("q_bias"), e.getMessage());
    }

    /** MobileFaceNet's 3×3/s2 SAME stem on 112 → 56 pads only at the end: [0,0,1,1], like TF, unlike symmetric. */
    @Test
    void stridedSamePaddingPutsTheOddPixelAtTheEnd() throws Exception {
        ConvertedModel mfn = GoldenParityTest.converted("MobileFaceNet.tflite", true);
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(mfn.onnx());
        Onnx.NodeProto stem = proto.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv"))
                .findFirst()
                .orElseThrow();
        Onnx.AttributeProto pads = stem.getAttributeList().stream()
                .filter(a -> a.getName().equals("pads"))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(0L, 0L, 1L, 1L), pads.getIntsList());
        assertEquals(13, proto.getOpsetImport(0).getVersion());
        // the graph boundary keeps the TFLite contract: NHWC with a symbolic batch
        Onnx.TensorShapeProto in =
                proto.getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals("N", in.getDim(0).getDimParam());
        assertArrayEquals(new long[] {112, 112, 3}, new long[] {
            in.getDim(1).getDimValue(), in.getDim(2).getDimValue(), in.getDim(3).getDimValue()
        });
    }

    @Test
    void pnetHasDynamicHeightAndWidth() throws Exception {
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(
                GoldenParityTest.converted("pnet.tflite", true).onnx());
        Onnx.TensorShapeProto in =
                proto.getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals(
                List.of("N", "H", "W"),
                in.getDimList().subList(0, 3).stream()
                        .map(Onnx.TensorShapeProto.Dimension::getDimParam)
                        .toList());
        assertTrue(
                proto.getGraph().getNodeList().stream()
                        .anyMatch(n -> n.getOpType().equals("MaxPool")
                                && n.getAttributeList().stream()
                                        .anyMatch(a -> a.getName().equals("auto_pad")
                                                && a.getS().toStringUtf8().equals("SAME_UPPER"))),
                "pnet's SAME pool on a dynamic size uses SAME_UPPER");
    }
}

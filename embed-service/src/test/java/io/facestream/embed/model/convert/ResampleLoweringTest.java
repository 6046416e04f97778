package io.facestream.embed.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import io.facestream.embed.model.convert.tflite.TfliteModel.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ops the full-range face detector adds, on a hand-built graph run in ONNX Runtime against values computed here:
 * a channel PAD, a ×2 RESIZE_BILINEAR (TF's default, asymmetric coordinates, edge clamped) and an ADD of a float16
 * constant behind a DEQUANTIZE.
 */
class ResampleLoweringTest {

    @Test
    void padResizeAndAFloat16ConstantGiveTfLitesValues() throws Exception {
        ByteBuffer pads = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {0, 0, 0, 0, 0, 0, 0, 1}) {
            pads.putInt(v);
        }
        ByteBuffer size =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(4);
        ByteBuffer half = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort(Float.floatToFloat16(1.5f))
                .putShort(Float.floatToFloat16(-2f));
        TfliteModel m = new TfliteModel(
                3,
                "test",
                List.of(
                        new TfliteModel.Tensor(0, "x", new int[] {1, 2, 2, 1}, TensorType.FLOAT32, null, false),
                        new TfliteModel.Tensor(1, "pads", new int[] {4, 2}, TensorType.INT32, pads.flip(), false),
                        new TfliteModel.Tensor(2, "padded", new int[] {1, 2, 2, 2}, TensorType.FLOAT32, null, false),
                        new TfliteModel.Tensor(3, "size", new int[] {2}, TensorType.INT32, size.flip(), false),
                        new TfliteModel.Tensor(4, "up", new int[] {1, 4, 4, 2}, TensorType.FLOAT32, null, false),
                        new TfliteModel.Tensor(5, "bias16", new int[] {2}, TensorType.FLOAT16, half.flip(), false),
                        new TfliteModel.Tensor(6, "bias", new int[] {2}, TensorType.FLOAT32, null, false),
                        new TfliteModel.Tensor(7, "out", new int[] {1, 4, 4, 2}, TensorType.FLOAT32, null, false)),
                List.of(
                        new TfliteModel.Operator(
                                0, BuiltinOperator.PAD, 34, null, 1, new int[] {0, 1}, new int[] {2}, null),
                        new TfliteModel.Operator(
                                1, BuiltinOperator.RESIZE_BILINEAR, 23, null, 1, new int[] {2, 3}, new int[] {4}, null),
                        new TfliteModel.Operator(
                                2, BuiltinOperator.DEQUANTIZE, 6, null, 1, new int[] {5}, new int[] {6}, null),
                        new TfliteModel.Operator(
                                3, BuiltinOperator.ADD, 0, null, 1, new int[] {4, 6}, new int[] {7}, null)),
                new int[] {0},
                new int[] {7});
        ConvertedModel onnx = TfliteToOnnx.convert(m, ConversionOptions.defaults(), "resample.tflite");
        assertEquals(1, onnx.onnxOps().get("Pad"));
        assertEquals(1, onnx.onnxOps().get("Resize"));
        assertFalse(onnx.onnxOps().containsKey("Cast"), "float16 is widened offline: " + onnx.onnxOps());

        float[] x = {1, 2, 3, 4};
        float[] expected = new float[4 * 4 * 2];
        for (int y = 0; y < 4; y++) {
            for (int xx = 0; xx < 4; xx++) {
                float sy = Math.min(y * 0.5f, 1);
                float sx = Math.min(xx * 0.5f, 1);
                int y0 = (int) sy;
                int x0 = (int) sx;
                int y1 = Math.min(y0 + 1, 1);
                int x1 = Math.min(x0 + 1, 1);
                float fy = sy - y0;
                float fx = sx - x0;
                float top = x[y0 * 2 + x0] * (1 - fx) + x[y0 * 2 + x1] * fx;
                float bottom = x[y1 * 2 + x0] * (1 - fx) + x[y1 * 2 + x1] * fx;
                expected[(y * 4 + xx) * 2] = top * (1 - fy) + bottom * fy + 1.5f;
                expected[(y * 4 + xx) * 2 + 1] = -2f; // the padded channel is zero
            }
        }
        try (OrtRunner ort = new OrtRunner(onnx.onnx())) {
            Map<String, float[]> out = ort.run("x", x, new long[] {1, 2, 2, 1});
            assertArrayEquals(expected, out.get("out"), 1e-6f);
        }
    }
}

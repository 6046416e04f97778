package io.facestream.embed.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.Integration;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import io.facestream.embed.model.convert.tflite.TfliteReader;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The FlatBuffer reader against the facts in docs/models.md, "What the TFLite files contain" (op histogram, shapes,
 * description).
 */
@Integration
class TfliteReaderTest {

    @Test
    void readsPnetAsDocumented() {
        TfliteModel pnet = TfliteReader.read(ByteBuffer.wrap(GoldenModels.tflite("pnet.tflite")), "pnet.tflite");
        assertEquals(3, pnet.schemaVersion());
        assertEquals("TOCO Converted.", pnet.description());
        assertEquals(
                Map.ofEntries(
                        Map.entry("RELU", 6),
                        Map.entry("NEG", 6),
                        Map.entry("CONV_2D", 5),
                        Map.entry("MUL", 3),
                        Map.entry("ADD", 3),
                        Map.entry("MAX_POOL_2D", 1),
                        Map.entry("REDUCE_MAX", 1),
                        Map.entry("SUB", 1),
                        Map.entry("EXP", 1),
                        Map.entry("SUM", 1),
                        Map.entry("DIV", 1)),
                histogram(pnet));
        TfliteModel.Tensor input = pnet.tensor(pnet.inputs()[0]);
        assertEquals("pnet/input", input.name());
        assertArrayEquals(new int[] {1, 1280, 960, 3}, input.shape());
        long params = pnet.tensors().stream()
                .filter(t -> t.isConstant() && t.type() == TfliteModel.TensorType.FLOAT32)
                .mapToLong(TfliteModel.Tensor::elements)
                .sum();
        assertEquals(6632, params);
    }

    @Test
    void readsMobileFaceNetAsDocumented() {
        TfliteModel mfn =
                TfliteReader.read(ByteBuffer.wrap(GoldenModels.tflite("MobileFaceNet.tflite")), "MobileFaceNet");
        assertEquals(
                Map.of(
                        "ADD",
                        45,
                        "CONV_2D",
                        35,
                        "RELU",
                        33,
                        "ABS",
                        33,
                        "SUB",
                        33,
                        "MUL",
                        33,
                        "DEPTHWISE_CONV_2D",
                        17,
                        "RESHAPE",
                        1),
                histogram(mfn));
        assertArrayEquals(
                new int[] {2, 112, 112, 3}, mfn.tensor(mfn.inputs()[0]).shape());
    }

    @Test
    void refusesBytesThatAreNotTflite() {
        ModelException e = assertThrows(
                ModelException.class,
                () -> TfliteReader.read(ByteBuffer.wrap("PK\3\4 this is a zip".getBytes()), "upload.bin"));
        assertTrue(e.getMessage().contains("upload.bin") && e.getMessage().contains("TFL3"), e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(GoldenModels.tflite("rnet.tflite"), 200);
        ModelException damaged =
                assertThrows(ModelException.class, () -> TfliteReader.read(ByteBuffer.wrap(truncated), "rnet"));
        assertTrue(damaged.getMessage().contains("damaged"), damaged.getMessage());
    }

    private static Map<String, Integer> histogram(TfliteModel m) {
        Map<String, Integer> h = new TreeMap<>();
        m.operators().forEach(op -> h.merge(op.opName(), 1, Integer::sum));
        return h;
    }
}

package io.facestream.embed.model.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A converted ONNX model and what the conversion did.
 *
 * @param onnx     the serialised {@code ModelProto}
 * @param onnxOps  node count per ONNX op type
 * @param fused    how often each pattern was fused (e.g. {@code prelu(relu+neg)}, {@code softmax})
 * @param inputs   ONNX input names (the TFLite names), in order
 * @param outputs  ONNX output names (the TFLite names), in order
 */
public record ConvertedModel(
        byte[] onnx,
        Map<String, Integer> onnxOps,
        Map<String, Integer> fused,
        List<String> inputs,
        List<String> outputs) {

    public int nodeCount() {
        return onnxOps.values().stream().mapToInt(Integer::intValue).sum();
    }

    public void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, onnx);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write converted model " + file, e);
        }
    }
}

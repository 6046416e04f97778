package io.facestream.trainer.graph;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.facestream.embed.model.convert.onnx.Onnx.GraphProto;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.convert.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a trained block back into the graph it came from: the same nodes, names and metadata, with every trained
 * initializer and BatchNormalization running statistic replaced by its current value.
 */
public final class OnnxExport {
    private OnnxExport() {}

    public static ModelProto export(OnnxGraphBlock block) {
        GraphProto.Builder g = block.model().getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            Parameter p = block.state().get(t.getName());
            if (p != null) {
                g.setInitializer(
                        i,
                        OnnxTensors.withValues(
                                t, p.getArray().toType(DataType.FLOAT32, false).toFloatArray()));
            }
        }
        return block.model().toBuilder().setGraph(g).build();
    }

    public static ModelProto read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ONNX model " + file, e);
        }
    }

    public static void write(ModelProto model, Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                model.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX model " + file, e);
        }
    }
}

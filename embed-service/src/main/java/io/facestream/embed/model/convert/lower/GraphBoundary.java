package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The graph's contract with the outside world, which stays the TFLite one: inputs and outputs keep their TFLite names
 * and NHWC layout (so callers, and the golden tensors, feed and read exactly what the TFLite model took and gave).
 * A 4-D input is transposed to NCHW once on entry, and a 4-D output back to NHWC once on exit.
 */
public final class GraphBoundary {
    private GraphBoundary() {}

    /** Declares the graph inputs (batch, and H/W when asked, symbolic) and defines their NCHW values. */
    public static List<String> inputs(LoweringContext ctx, boolean dynamicBatch, boolean dynamicSpatial) {
        List<String> names = new ArrayList<>();
        for (int index : ctx.model().inputs()) {
            TfliteModel.Tensor t = ctx.tensor(index);
            if (t.type() != TfliteModel.TensorType.FLOAT32 || t.quantized()) {
                throw new io.facestream.embed.model.ModelException(
                        "cannot convert input " + t + ": only float32 inputs are supported");
            }
            long[] shape = Tensors.toLongs(t.shape());
            if (dynamicBatch && shape.length > 0) {
                shape[0] = OnnxGraphBuilder.DYNAMIC;
            }
            if (dynamicSpatial && shape.length == 4) {
                shape[1] = OnnxGraphBuilder.DYNAMIC;
                shape[2] = OnnxGraphBuilder.DYNAMIC;
            }
            String name = ctx.onnx().unique(t.name());
            ctx.onnx().input(name, shape, "N", "H", "W");
            names.add(name);
            if (shape.length == 4) {
                String nchw = ctx.temp(t.name() + "/nchw");
                ctx.node("Transpose", List.of(name), nchw, OnnxGraphBuilder.ints("perm", 0, 3, 1, 2));
                ctx.define(index, new Value(nchw, Layout.NCHW, shape));
            } else {
                ctx.define(index, new Value(name, Layout.AS_IS, shape));
            }
        }
        return names;
    }

    /** Declares the graph outputs under their TFLite names, in NHWC. */
    public static List<String> outputs(LoweringContext ctx) {
        List<String> names = new ArrayList<>();
        for (int index : ctx.model().outputs()) {
            TfliteModel.Tensor t = ctx.tensor(index);
            Value v = ctx.lookup(index);
            if (v == null) {
                throw new io.facestream.embed.model.ModelException(
                        "cannot convert: graph output " + t + " is not produced by any operator");
            }
            String name = v.name();
            if (v.layout() == Layout.NCHW) {
                name = ctx.onnx().unique(t.name());
                ctx.node("Transpose", List.of(v.name()), name, OnnxGraphBuilder.ints("perm", 0, 2, 3, 1));
            } else if (!v.name().equals(t.name())) {
                name = ctx.onnx().unique(t.name());
                ctx.node("Identity", List.of(v.name()), name);
            }
            String[] dimNames = new String[v.rank()];
            for (int i = 0; i < dimNames.length; i++) {
                dimNames[i] = i == 0 ? "N" : t.name() + "_dim" + i;
            }
            ctx.onnx().output(name, v.shape(), dimNames);
            names.add(name);
        }
        return names;
    }
}

package io.facestream.embed.model.convert;

import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.convert.fuse.FusedOp;
import io.facestream.embed.model.convert.fuse.PatternMatcher;
import io.facestream.embed.model.convert.lower.GraphBoundary;
import io.facestream.embed.model.convert.lower.LoweringContext;
import io.facestream.embed.model.convert.lower.OpLowering;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.Fp16Weights;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import io.facestream.embed.model.convert.tflite.TfliteReader;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * TFLite → ONNX (opset 13) for float models built from convolutions, pools, dense layers and element-wise maths —
 * what MTCNN and MobileFaceNet use. The graph is NCHW inside and NHWC at its inputs and outputs (see
 * {@link GraphBoundary}); PReLU and softmax idioms become single ops; anything else unknown is refused with the op
 * and tensor named.
 */
public final class TfliteToOnnx {
    /** Opset 13: the first where Softmax(axis=1) on 4-D means "over channels"; IR 7 is the matching IR version. */
    public static final long OPSET = 13;

    public static final long IR_VERSION = 7;
    public static final String PRODUCER = "facestream-tflite2onnx";
    public static final String PRODUCER_VERSION = "1";

    private static final Map<BuiltinOperator, OpLowering> LOWERINGS = new EnumMap<>(BuiltinOperator.class);

    static {
        for (OpLowering l : OpLowering.all()) {
            l.operators().forEach(op -> LOWERINGS.put(op, l));
        }
    }

    private TfliteToOnnx() {}

    public static ConvertedModel convert(Path tflite, ConversionOptions options) {
        return convert(TfliteReader.read(tflite), options, tflite.getFileName().toString());
    }

    public static ConvertedModel convert(TfliteModel source, ConversionOptions options, String sourceName) {
        TfliteModel model = Fp16Weights.fold(source);
        Map<Integer, FusedOp> fused = options.fusePatterns() ? PatternMatcher.match(model) : Map.of();
        Set<Integer> covered = new HashSet<>();
        Map<String, Integer> fusedCounts = new TreeMap<>();
        fused.values().forEach(f -> {
            covered.addAll(f.covered());
            fusedCounts.merge(f.pattern(), 1, Integer::sum);
        });

        OnnxGraphBuilder onnx = new OnnxGraphBuilder(graphName(sourceName));
        LoweringContext ctx = new LoweringContext(model, onnx);
        List<String> inputs = GraphBoundary.inputs(ctx, options.dynamicBatch(), options.dynamicSpatial());
        for (TfliteModel.Operator op : model.operators()) {
            FusedOp f = fused.get(op.index());
            if (f != null) {
                f.lower(ctx);
            } else if (!covered.contains(op.index())) {
                OpLowering lowering = op.op() == null ? null : LOWERINGS.get(op.op());
                if (lowering == null) {
                    throw ctx.unsupported(
                            op,
                            "operator not supported by this converter (supported: "
                                    + LOWERINGS.keySet().stream()
                                            .map(Enum::name)
                                            .sorted()
                                            .toList() + ")");
                }
                lowering.lower(op, ctx);
            }
        }
        List<String> outputs = GraphBoundary.outputs(ctx);
        onnx.metadata("source", sourceName);
        onnx.metadata("layout", "inputs and outputs NHWC as in the TFLite model; NCHW inside");
        onnx.metadata("fused", fusedCounts.toString());
        try {
            byte[] bytes =
                    onnx.build(IR_VERSION, OPSET, PRODUCER, PRODUCER_VERSION).toByteArray();
            return new ConvertedModel(bytes, onnx.opCounts(), Map.copyOf(fusedCounts), inputs, outputs);
        } catch (RuntimeException e) {
            throw new ModelException("cannot serialise the ONNX model converted from " + sourceName, e);
        }
    }

    private static String graphName(String sourceName) {
        int dot = sourceName.lastIndexOf('.');
        return dot > 0 ? sourceName.substring(0, dot) : sourceName;
    }
}

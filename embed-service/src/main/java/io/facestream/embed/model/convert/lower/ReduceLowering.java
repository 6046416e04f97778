package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SUM, REDUCE_MAX, REDUCE_MIN and MEAN → ONNX reductions (opset 13: ReduceSum takes its axes as an input, the others
 * as an attribute). Axes of an NCHW value are remapped (NHWC 3 → 1, 1 → 2, 2 → 3). When the reduction drops axes of
 * an NCHW value the result would no longer be in TFLite order, so the value is moved back to NHWC first.
 */
final class ReduceLowering implements OpLowering {
    private static final Map<BuiltinOperator, String> OPS = Map.of(
            BuiltinOperator.SUM,
            "ReduceSum",
            BuiltinOperator.REDUCE_MAX,
            "ReduceMax",
            BuiltinOperator.REDUCE_MIN,
            "ReduceMin",
            BuiltinOperator.MEAN,
            "ReduceMean");
    private static final int KEEP_DIMS = 0;

    @Override
    public Set<BuiltinOperator> operators() {
        return OPS.keySet();
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        Value x = ctx.value(op, op.input(0));
        if (!ctx.isConstant(op.input(1))) {
            throw ctx.unsupported(op, "the reduction axes must be a constant");
        }
        long[] axes = ctx.tensor(op.input(1)).longs();
        boolean keepDims = op.options() != null && op.options().getBool(KEEP_DIMS);
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (long a : axes) {
            int axis = (int) (a < 0 ? a + rank : a);
            if (axis < 0 || axis >= rank) {
                throw ctx.unsupported(op, "axis " + a + " is out of range for " + ctx.tensor(op.input(0)));
            }
            reduced[axis] = true;
        }
        String in = x.name();
        Layout layout = x.layout();
        if (layout == Layout.NCHW && !keepDims) {
            in = ctx.temp(x.name() + "/nhwc");
            ctx.node("Transpose", List.of(x.name()), in, OnnxGraphBuilder.ints("perm", 0, 2, 3, 1));
            layout = Layout.AS_IS;
        }
        List<Long> onnxAxes = new ArrayList<>();
        List<Long> outShape = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            if (reduced[i]) {
                onnxAxes.add((long) (layout == Layout.NCHW ? Layout.nchwAxis(i) : i));
                if (keepDims) {
                    outShape.add(1L);
                }
            } else {
                outShape.add(x.dim(i));
            }
        }
        long[] axesArray = onnxAxes.stream().mapToLong(Long::longValue).sorted().toArray();
        String out = ctx.produce(
                op.output(),
                layout,
                outShape.stream().mapToLong(Long::longValue).toArray());
        String type = OPS.get(op.op());
        if (op.op() == BuiltinOperator.SUM) {
            String axesName = ctx.int64Constant("axes", new long[] {axesArray.length}, axesArray);
            ctx.node(type, List.of(in, axesName), out, OnnxGraphBuilder.integer("keepdims", keepDims ? 1 : 0));
        } else {
            ctx.node(
                    type,
                    List.of(in),
                    out,
                    OnnxGraphBuilder.ints("axes", axesArray),
                    OnnxGraphBuilder.integer("keepdims", keepDims ? 1 : 0));
        }
    }
}

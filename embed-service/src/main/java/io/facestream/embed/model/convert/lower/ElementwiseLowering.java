package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Element-wise ops, one ONNX node each. The layout trap lives here: a TFLite constant broadcasts against the last
 * (channel) axis of an NHWC tensor, so next to an NCHW value a {@code [C]} constant must become {@code [C,1,1]}, or it
 * would silently broadcast against W. Constants are therefore padded to rank 4 and transposed like the activation.
 */
final class ElementwiseLowering implements OpLowering {
    private static final Map<BuiltinOperator, String> BINARY = Map.of(
            BuiltinOperator.ADD,
            "Add",
            BuiltinOperator.SUB,
            "Sub",
            BuiltinOperator.MUL,
            "Mul",
            BuiltinOperator.DIV,
            "Div",
            BuiltinOperator.MAXIMUM,
            "Max",
            BuiltinOperator.MINIMUM,
            "Min");
    private static final Map<BuiltinOperator, String> UNARY = Map.of(
            BuiltinOperator.RELU,
            "Relu",
            BuiltinOperator.NEG,
            "Neg",
            BuiltinOperator.ABS,
            "Abs",
            BuiltinOperator.EXP,
            "Exp",
            BuiltinOperator.LOGISTIC,
            "Sigmoid",
            BuiltinOperator.TANH,
            "Tanh",
            BuiltinOperator.SQRT,
            "Sqrt");
    /** Add/Sub/Mul/DivOptions all keep the fused activation in field 0; MAXIMUM/MINIMUM have none. */
    private static final int ACTIVATION = 0;

    @Override
    public Set<BuiltinOperator> operators() {
        Set<BuiltinOperator> all = new java.util.HashSet<>(BINARY.keySet());
        all.addAll(UNARY.keySet());
        all.add(BuiltinOperator.RELU6);
        all.add(BuiltinOperator.RELU_N1_TO_1);
        return all;
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        if (BINARY.containsKey(op.op())) {
            binary(op, ctx);
            return;
        }
        Value x = ctx.value(op, op.input(0));
        String out = ctx.produce(op.output(), x.layout(), x.shape());
        switch (op.op()) {
            case RELU6 -> ctx.node("Clip", List.of(x.name(), ctx.scalar("zero", 0f), ctx.scalar("six", 6f)), out);
            case RELU_N1_TO_1 ->
                ctx.node("Clip", List.of(x.name(), ctx.scalar("minus_one", -1f), ctx.scalar("one", 1f)), out);
            default -> ctx.node(UNARY.get(op.op()), List.of(x.name()), out);
        }
    }

    private void binary(TfliteModel.Operator op, LoweringContext ctx) {
        int a = op.input(0);
        int b = op.input(1);
        if (ctx.isConstant(a) && ctx.isConstant(b)) {
            throw ctx.unsupported(op, "both inputs are constants (fold them before converting)");
        }
        boolean nchw = isNchw(ctx, op, a) || isNchw(ctx, op, b);
        long[] shapeA = shapeOf(ctx, op, a);
        long[] shapeB = shapeOf(ctx, op, b);
        List<String> inputs = new ArrayList<>(List.of(operand(ctx, op, a, nchw), operand(ctx, op, b, nchw)));
        long[] outShape = broadcast(ctx, op, shapeA, shapeB);
        String out = ctx.produce(op.output(), nchw ? Layout.NCHW : Layout.AS_IS, outShape);
        int activation = op.options() == null
                        || !Set.of(BuiltinOperator.ADD, BuiltinOperator.SUB, BuiltinOperator.MUL, BuiltinOperator.DIV)
                                .contains(op.op())
                ? 0
                : op.options().getByte(ACTIVATION, 0);
        ctx.nodeWithActivation(op, activation, BINARY.get(op.op()), inputs, out);
    }

    private static boolean isNchw(LoweringContext ctx, TfliteModel.Operator op, int tensor) {
        return !ctx.isConstant(tensor) && ctx.value(op, tensor).layout() == Layout.NCHW;
    }

    private static long[] shapeOf(LoweringContext ctx, TfliteModel.Operator op, int tensor) {
        return ctx.isConstant(tensor)
                ? Tensors.toLongs(ctx.tensor(tensor).shape())
                : ctx.value(op, tensor).shape();
    }

    /** The ONNX name of one operand, with a constant re-laid out to broadcast like it did against NHWC. */
    private static String operand(LoweringContext ctx, TfliteModel.Operator op, int tensor, boolean nchw) {
        if (!ctx.isConstant(tensor)) {
            Value v = ctx.value(op, tensor);
            if (nchw && v.layout() != Layout.NCHW) {
                throw ctx.unsupported(
                        op,
                        "mixes a 4-D activation with " + ctx.tensor(tensor)
                                + "; broadcasting a lower-rank activation against NHWC is not supported");
            }
            return v.name();
        }
        TfliteModel.Tensor c = ctx.constant(op, tensor);
        if (c.type() != TfliteModel.TensorType.FLOAT32) {
            throw ctx.unsupported(op, "constant " + c + " is not float32");
        }
        float[] data = c.floats();
        int[] shape = c.shape();
        if (!nchw || data.length == 1) {
            return ctx.floatConstant(c.name(), data.length == 1 ? new long[0] : Tensors.toLongs(shape), data);
        }
        if (shape.length > 4) {
            throw ctx.unsupported(op, "constant " + c + " has rank > 4");
        }
        int[] nhwc = new int[4];
        java.util.Arrays.fill(nhwc, 1);
        System.arraycopy(shape, 0, nhwc, 4 - shape.length, shape.length);
        float[] moved = Tensors.permute(data, nhwc, new int[] {0, 3, 1, 2});
        return ctx.floatConstant(c.name(), new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]}, moved);
    }

    static long[] broadcast(LoweringContext ctx, TfliteModel.Operator op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x == y || y == 1) {
                out[i] = x;
            } else if (x == 1) {
                out[i] = y;
            } else if (x < 0 || y < 0) {
                out[i] = Math.max(x, y);
            } else {
                throw ctx.unsupported(
                        op,
                        "shapes " + LoweringContext.shape(a) + " and " + LoweringContext.shape(b)
                                + " do not broadcast");
            }
        }
        return out;
    }
}

package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.FlatTable;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * FULLY_CONNECTED → {@code Gemm(transB=1)} (the TFLite weight is [out,in]) and RESHAPE → {@code Reshape}.
 *
 * <p>Flatten order: TFLite flattens a 4-D activation in HWC order, while the NCHW value flattens in CHW order. Instead
 * of a run-time Transpose, the FC weight's columns are permuted offline
 * ({@code W.reshape(O,H,W,C).transpose(0,3,1,2)}).
 *
 * <p>Baked batch: converters freeze the batch into RESHAPE constants (MobileFaceNet's {@code [2,192]}). When the batch
 * is dynamic and the constant's first entry equals the batch the model was exported with, it becomes 0, ONNX's
 * "copy this dimension from the input".
 */
final class DenseLowering implements OpLowering {
    private static final int FC_ACTIVATION = 0, FC_WEIGHTS_FORMAT = 1, FC_KEEP_NUM_DIMS = 2;
    private static final int RESHAPE_NEW_SHAPE = 0;

    @Override
    public Set<BuiltinOperator> operators() {
        return Set.of(BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.RESHAPE);
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        if (op.op() == BuiltinOperator.FULLY_CONNECTED) {
            fullyConnected(op, ctx);
        } else {
            reshape(op, ctx);
        }
    }

    private void fullyConnected(TfliteModel.Operator op, LoweringContext ctx) {
        FlatTable o = op.options();
        int activation = o == null ? 0 : o.getByte(FC_ACTIVATION, 0);
        if (o != null && (o.getByte(FC_WEIGHTS_FORMAT, 0) != 0 || o.getBool(FC_KEEP_NUM_DIMS))) {
            throw ctx.unsupported(op, "only the default weights format without keep_num_dims is supported");
        }
        Value x = ctx.value(op, op.input(0));
        TfliteModel.Tensor w = ctx.constant(op, op.input(1));
        if (w.rank() != 2) {
            throw ctx.unsupported(op, "weight " + w + " is not 2-D");
        }
        int outF = w.shape()[0];
        int inF = w.shape()[1];
        float[] weights = w.floats();
        String flat;
        if (x.layout() == Layout.NCHW) {
            long h = x.dim(1), wd = x.dim(2), c = x.dim(3);
            if (h < 0 || wd < 0 || c < 0 || h * wd * c != inF) {
                throw ctx.unsupported(
                        op,
                        "input " + ctx.tensor(op.input(0)) + " does not flatten to the weight's " + inF
                                + " inputs (spatial size must be static)");
            }
            weights = Tensors.permute(weights, new int[] {outF, (int) h, (int) wd, (int) c}, new int[] {0, 3, 1, 2});
            flat = ctx.temp(ctx.tensor(op.input(0)).name() + "/flat");
            ctx.node("Flatten", List.of(x.name()), flat, OnnxGraphBuilder.integer("axis", 1));
        } else if (x.rank() == 2) {
            flat = x.name();
        } else {
            // TFLite reshapes any other rank to [-1, in].
            flat = ctx.temp(ctx.tensor(op.input(0)).name() + "/flat");
            ctx.node(
                    "Reshape",
                    List.of(x.name(), ctx.int64Constant("fc_shape", new long[] {2}, new long[] {-1, inF})),
                    flat);
        }
        List<String> inputs =
                new ArrayList<>(List.of(flat, ctx.floatConstant(w.name(), new long[] {outF, inF}, weights)));
        if (op.input(2) >= 0) {
            TfliteModel.Tensor b = ctx.constant(op, op.input(2));
            inputs.add(ctx.floatConstant(b.name(), new long[] {outF}, b.floats()));
        }
        long batch = x.rank() == 2 || x.layout() == Layout.NCHW ? x.dim(0) : -1;
        String out = ctx.produce(op.output(), Layout.AS_IS, new long[] {batch, outF});
        ctx.nodeWithActivation(op, activation, "Gemm", inputs, out, OnnxGraphBuilder.integer("transB", 1));
    }

    private void reshape(TfliteModel.Operator op, LoweringContext ctx) {
        Value x = ctx.value(op, op.input(0));
        long[] target;
        if (op.input(1) >= 0 && ctx.isConstant(op.input(1))) {
            target = ctx.tensor(op.input(1)).longs();
        } else if (op.input(1) < 0 && op.options() != null && op.options().vectorLength(RESHAPE_NEW_SHAPE) > 0) {
            target = Tensors.toLongs(op.options().ints(RESHAPE_NEW_SHAPE));
        } else if (op.input(1) < 0 || op.inputs().length < 2) {
            // Neither a shape input nor new_shape (MediaPipe's detectors): the output tensor's static shape.
            target = Tensors.toLongs(ctx.tensor(op.output()).shape());
        } else {
            throw ctx.unsupported(op, "the new shape must be a constant");
        }
        target = target.clone();
        int bakedBatch = ctx.tensor(op.input(0)).shape().length > 0
                ? ctx.tensor(op.input(0)).shape()[0]
                : -1;
        boolean dynamicBatch = x.rank() > 0 && x.dim(0) < 0;
        if (dynamicBatch && target.length > 0 && target[0] == bakedBatch) {
            target[0] = 0;
        }
        String in = x.name();
        if (x.layout() == Layout.NCHW && !(x.dim(1) == 1 && x.dim(2) == 1)) {
            // [N,C,1,1] flattens like [N,1,1,C]; anything else must be put back in NHWC order first.
            in = ctx.temp(x.name() + "/nhwc");
            ctx.node("Transpose", List.of(x.name()), in, OnnxGraphBuilder.ints("perm", 0, 2, 3, 1));
        }
        long[] outShape = resolve(target, x.shape());
        String shapeName =
                ctx.int64Constant(ctx.tensor(op.output()).name() + "/shape", new long[] {target.length}, target);
        if (target.length == 4) {
            String nhwc = ctx.temp(ctx.tensor(op.output()).name() + "/nhwc");
            ctx.node("Reshape", List.of(in, shapeName), nhwc);
            String out = ctx.produce(op.output(), Layout.NCHW, outShape);
            ctx.node("Transpose", List.of(nhwc), out, OnnxGraphBuilder.ints("perm", 0, 3, 1, 2));
        } else {
            String out = ctx.produce(op.output(), Layout.AS_IS, outShape);
            ctx.node("Reshape", List.of(in, shapeName), out);
        }
    }

    /** The output shape of a Reshape in TFLite order (0 copies the input dim, -1 is inferred when possible). */
    private static long[] resolve(long[] target, long[] inShape) {
        long[] out = new long[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            out[i] = target[i] == 0 ? inShape[i] : target[i];
            if (target[i] == -1) {
                inferred = i;
            } else if (out[i] > 0) {
                known *= out[i];
            }
        }
        long total = Tensors.product(inShape);
        boolean othersKnown = true;
        for (int i = 0; i < out.length; i++) {
            othersKnown &= i == inferred || out[i] >= 0;
        }
        if (inferred >= 0) {
            out[inferred] = total > 0 && othersKnown ? total / known : -1;
        }
        return out;
    }
}

package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.FlatTable;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * MAX_POOL_2D and AVERAGE_POOL_2D → ONNX {@code MaxPool} / {@code AveragePool}. Padding never contributes, as in TF:
 * ONNX pads MaxPool with −∞, and AveragePool's default {@code count_include_pad=0} leaves pads out of the mean.
 */
final class PoolLowering implements OpLowering {
    // Pool2DOptions field numbers
    private static final int PADDING = 0, STRIDE_W = 1, STRIDE_H = 2, FILTER_W = 3, FILTER_H = 4, ACTIVATION = 5;

    @Override
    public Set<BuiltinOperator> operators() {
        return Set.of(BuiltinOperator.MAX_POOL_2D, BuiltinOperator.AVERAGE_POOL_2D);
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        FlatTable o = op.options();
        if (o == null) {
            throw ctx.unsupported(op, "has no options table");
        }
        Value x = ctx.value(op, op.input(0));
        if (x.layout() != Layout.NCHW) {
            throw ctx.unsupported(op, "expects a 4-D NHWC activation, got " + ctx.tensor(op.input(0)));
        }
        int kH = o.getInt(FILTER_H, 1);
        int kW = o.getInt(FILTER_W, 1);
        int sH = o.getInt(STRIDE_H, 1);
        int sW = o.getInt(STRIDE_W, 1);
        TfPadding padding;
        try {
            padding = TfPadding.of(o.getByte(PADDING, 0), x.dim(1), x.dim(2), kH, kW, sH, sW, 1, 1);
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported(op, "unknown " + e.getMessage());
        }
        List<Onnx.AttributeProto> attrs = new ArrayList<>(
                List.of(OnnxGraphBuilder.ints("kernel_shape", kH, kW), OnnxGraphBuilder.ints("strides", sH, sW)));
        attrs.addAll(padding.attributes());
        long[] outShape = {
            x.dim(0),
            TfPadding.outSize(x.dim(1), kH, sH, 1, padding.same()),
            TfPadding.outSize(x.dim(2), kW, sW, 1, padding.same()),
            x.dim(3)
        };
        String out = ctx.produce(op.output(), Layout.NCHW, outShape);
        String type = op.op() == BuiltinOperator.MAX_POOL_2D ? "MaxPool" : "AveragePool";
        ctx.nodeWithActivation(
                op, o.getByte(ACTIVATION, 0), type, List.of(x.name()), out, attrs.toArray(Onnx.AttributeProto[]::new));
    }
}

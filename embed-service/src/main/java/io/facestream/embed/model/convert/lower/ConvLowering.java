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
 * CONV_2D and DEPTHWISE_CONV_2D → ONNX {@code Conv} on NCHW.
 *
 * <p>Weights are re-laid out offline: a TFLite conv kernel is OHWI and becomes OIHW ({@code transpose(0,3,1,2)}); a
 * depthwise kernel is {@code [1,kh,kw,C·m]} and becomes {@code [C·m,1,kh,kw]} with {@code group = C}
 * ({@code transpose(3,0,1,2)}): TFLite's output channel {@code c·m+j} reads input channel {@code c}, which is exactly
 * ONNX's grouping of consecutive output channels. Biases need no change.
 */
final class ConvLowering implements OpLowering {
    // Conv2DOptions / DepthwiseConv2DOptions field numbers
    private static final int PADDING = 0, STRIDE_W = 1, STRIDE_H = 2;
    private static final int CONV_ACTIVATION = 3, CONV_DILATION_W = 4, CONV_DILATION_H = 5;
    private static final int DW_MULTIPLIER = 3, DW_ACTIVATION = 4, DW_DILATION_W = 5, DW_DILATION_H = 6;

    @Override
    public Set<BuiltinOperator> operators() {
        return Set.of(BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D);
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        boolean depthwise = op.op() == BuiltinOperator.DEPTHWISE_CONV_2D;
        FlatTable o = op.options();
        if (o == null) {
            throw ctx.unsupported(op, "has no options table");
        }
        Value x = ctx.value(op, op.input(0));
        if (x.layout() != Layout.NCHW) {
            throw ctx.unsupported(op, "expects a 4-D NHWC activation, got " + ctx.tensor(op.input(0)));
        }
        long inC = x.dim(3);
        TfliteModel.Tensor w = ctx.constant(op, op.input(1));
        int[] ws = w.shape();
        if (ws.length != 4) {
            throw ctx.unsupported(op, "kernel " + w + " is not 4-D");
        }
        int kH = ws[1];
        int kW = ws[2];
        int outC;
        int group;
        float[] kernel;
        if (depthwise) {
            int multiplier = o.getInt(DW_MULTIPLIER, 1);
            outC = ws[3];
            if (ws[0] != 1 || inC > 0 && outC != inC * Math.max(multiplier, 1)) {
                throw ctx.unsupported(
                        op,
                        "depthwise kernel " + w + " does not match input channels " + inC + " × multiplier "
                                + multiplier);
            }
            group = (int) (inC > 0 ? inC : outC / Math.max(multiplier, 1));
            kernel = Tensors.permute(w.floats(), ws, new int[] {3, 0, 1, 2});
        } else {
            outC = ws[0];
            if (inC > 0 && ws[3] != inC) {
                throw ctx.unsupported(
                        op, "kernel " + w + " expects " + ws[3] + " input channels, the input has " + inC);
            }
            group = 1;
            kernel = Tensors.permute(w.floats(), ws, new int[] {0, 3, 1, 2});
        }
        int sH = o.getInt(STRIDE_H, 1);
        int sW = o.getInt(STRIDE_W, 1);
        int dH = o.getInt(depthwise ? DW_DILATION_H : CONV_DILATION_H, 1);
        int dW = o.getInt(depthwise ? DW_DILATION_W : CONV_DILATION_W, 1);
        int activation = o.getByte(depthwise ? DW_ACTIVATION : CONV_ACTIVATION, 0);
        TfPadding padding;
        try {
            padding = TfPadding.of(o.getByte(PADDING, 0), x.dim(1), x.dim(2), kH, kW, sH, sW, dH, dW);
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported(op, "unknown " + e.getMessage());
        }

        List<String> inputs = new ArrayList<>();
        inputs.add(x.name());
        inputs.add(ctx.floatConstant(
                w.name(), depthwise ? new long[] {outC, 1, kH, kW} : new long[] {outC, ws[3], kH, kW}, kernel));
        if (op.input(2) >= 0) {
            TfliteModel.Tensor b = ctx.constant(op, op.input(2));
            inputs.add(ctx.floatConstant(b.name(), new long[] {outC}, b.floats()));
        }
        long[] outShape = {
            x.dim(0),
            TfPadding.outSize(x.dim(1), kH, sH, dH, padding.same()),
            TfPadding.outSize(x.dim(2), kW, sW, dW, padding.same()),
            outC
        };
        List<Onnx.AttributeProto> attrs = new ArrayList<>(List.of(
                OnnxGraphBuilder.ints("kernel_shape", kH, kW),
                OnnxGraphBuilder.ints("strides", sH, sW),
                OnnxGraphBuilder.ints("dilations", dH, dW),
                OnnxGraphBuilder.integer("group", group)));
        attrs.addAll(padding.attributes());
        String out = ctx.produce(op.output(), Layout.NCHW, outShape);
        ctx.nodeWithActivation(op, activation, "Conv", inputs, out, attrs.toArray(Onnx.AttributeProto[]::new));
    }
}

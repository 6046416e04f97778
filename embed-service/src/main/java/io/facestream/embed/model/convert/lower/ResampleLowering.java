package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.FlatTable;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.List;
import java.util.Set;

/**
 * PAD → ONNX {@code Pad} (constant zero) and RESIZE_BILINEAR → {@code Resize(mode=linear)}, the two ops that
 * MediaPipe's full-range face detector adds to the conv/pool/add vocabulary: its residual blocks widen the shortcut by
 * zero-padding the channel axis, and its feature pyramid upsamples coarse maps ×2 before adding them to finer ones.
 *
 * <p>TFLite's bilinear resize has two flags that ONNX spells as a coordinate transformation: {@code align_corners}
 * → {@code align_corners}, {@code half_pixel_centers} → {@code half_pixel}, neither → {@code asymmetric}
 * (TF1's default). The full-range model's three upsamplings set {@code half_pixel_centers}.
 */
final class ResampleLowering implements OpLowering {
    // ResizeBilinearOptions field numbers (0 and 1 are the deprecated new_height/new_width)
    private static final int ALIGN_CORNERS = 2, HALF_PIXEL_CENTERS = 3;

    @Override
    public Set<BuiltinOperator> operators() {
        return Set.of(BuiltinOperator.PAD, BuiltinOperator.RESIZE_BILINEAR);
    }

    @Override
    public void lower(TfliteModel.Operator op, LoweringContext ctx) {
        if (op.op() == BuiltinOperator.PAD) {
            pad(op, ctx);
        } else {
            resize(op, ctx);
        }
    }

    private void pad(TfliteModel.Operator op, LoweringContext ctx) {
        Value x = ctx.value(op, op.input(0));
        TfliteModel.Tensor p = ctx.constant(op, op.input(1));
        long[] pads = p.longs();
        int rank = x.rank();
        if (pads.length != 2 * rank) {
            throw ctx.unsupported(op, "paddings " + p + " do not match the input's rank " + rank);
        }
        // TFLite: [[before, after] per NHWC axis]; ONNX: [all befores, all afters] per axis of the value.
        long[] onnxPads = new long[2 * rank];
        long[] outShape = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            int to = x.layout() == Layout.NCHW ? Layout.nchwAxis(axis) : axis;
            onnxPads[to] = pads[2 * axis];
            onnxPads[rank + to] = pads[2 * axis + 1];
            outShape[axis] = x.dim(axis) < 0 ? -1 : x.dim(axis) + pads[2 * axis] + pads[2 * axis + 1];
        }
        for (long v : pads) {
            if (v < 0) {
                throw ctx.unsupported(op, "negative paddings " + p + " (cropping) are not supported");
            }
        }
        String padsName = ctx.int64Constant(p.name(), new long[] {2L * rank}, onnxPads);
        String out = ctx.produce(op.output(), x.layout(), outShape);
        ctx.node("Pad", List.of(x.name(), padsName), out, OnnxGraphBuilder.string("mode", "constant"));
    }

    private void resize(TfliteModel.Operator op, LoweringContext ctx) {
        Value x = ctx.value(op, op.input(0));
        if (x.layout() != Layout.NCHW) {
            throw ctx.unsupported(op, "expects a 4-D NHWC activation, got " + ctx.tensor(op.input(0)));
        }
        long[] size = ctx.constant(op, op.input(1)).longs();
        if (size.length != 2 || x.dim(1) <= 0 || x.dim(2) <= 0) {
            throw ctx.unsupported(op, "needs a constant [height, width] and a static input size");
        }
        FlatTable o = op.options();
        boolean alignCorners = o != null && o.getBool(ALIGN_CORNERS);
        boolean halfPixel = o != null && o.getBool(HALF_PIXEL_CENTERS);
        String mode = alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric";
        float[] scales = {1f, 1f, (float) size[0] / x.dim(1), (float) size[1] / x.dim(2)};
        String scalesName = ctx.floatConstant(ctx.tensor(op.output()).name() + "/scales", new long[] {4}, scales);
        String roi = ctx.floatConstant(ctx.tensor(op.output()).name() + "/roi", new long[] {0}, new float[0]);
        String out = ctx.produce(op.output(), Layout.NCHW, new long[] {x.dim(0), size[0], size[1], x.dim(3)});
        ctx.node(
                "Resize",
                List.of(x.name(), roi, scalesName),
                out,
                OnnxGraphBuilder.string("mode", "linear"),
                OnnxGraphBuilder.string("coordinate_transformation_mode", mode));
    }
}

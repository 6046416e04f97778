package io.facestream.embed.model.convert.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds float16 weights into float32 constants before lowering. MediaPipe ships its detectors with half-precision
 * weights, each behind a DEQUANTIZE op that widens it to float32 at load time (the full-range face detector has 178).
 * Widening them offline keeps the ONNX graph float32 everywhere, so no lowering has to know about float16, and the
 * numbers are exactly the ones TFLite computes with (a float16 widens to float32 without rounding).
 */
public final class Fp16Weights {
    private Fp16Weights() {}

    /** The model with every DEQUANTIZE of a constant float16 tensor removed and its output a float32 constant. */
    public static TfliteModel fold(TfliteModel model) {
        Map<Integer, TfliteModel.Tensor> widened = new HashMap<>();
        List<TfliteModel.Operator> kept = new ArrayList<>();
        for (TfliteModel.Operator op : model.operators()) {
            if (op.op() == BuiltinOperator.DEQUANTIZE && op.inputs().length == 1 && op.outputs().length == 1) {
                TfliteModel.Tensor in = model.tensor(op.input(0));
                TfliteModel.Tensor out = model.tensor(op.output());
                if (in.isConstant()
                        && in.type() == TfliteModel.TensorType.FLOAT16
                        && !in.quantized()
                        && out.type() == TfliteModel.TensorType.FLOAT32) {
                    widened.put(
                            out.index(),
                            new TfliteModel.Tensor(
                                    out.index(), out.name(), out.shape(), out.type(), widen(in.data()), false));
                    continue;
                }
            }
            kept.add(op);
        }
        if (widened.isEmpty()) {
            return model;
        }
        List<TfliteModel.Tensor> tensors = new ArrayList<>(model.tensors());
        widened.forEach(tensors::set);
        // Fusions look operators up by index, so the remaining ones are renumbered in order.
        List<TfliteModel.Operator> ops = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            TfliteModel.Operator o = kept.get(i);
            ops.add(new TfliteModel.Operator(
                    i, o.op(), o.code(), o.custom(), o.version(), o.inputs(), o.outputs(), o.options()));
        }
        return new TfliteModel(
                model.schemaVersion(),
                model.description(),
                List.copyOf(tensors),
                List.copyOf(ops),
                model.inputs(),
                model.outputs());
    }

    private static ByteBuffer widen(ByteBuffer half) {
        ByteBuffer in = half.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putFloat(Float.float16ToFloat(in.getShort()));
        }
        return out.flip();
    }
}

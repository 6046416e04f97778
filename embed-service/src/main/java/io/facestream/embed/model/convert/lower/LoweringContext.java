package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state shared by all lowerings of one model: which ONNX value stands for which TFLite tensor (with its layout
 * and shape), and the ONNX graph being built. Lowerings read their inputs through {@link #value} and
 * {@link #constant}, and register each result with {@link #produce}.
 */
public final class LoweringContext {
    /** TFLite {@code ActivationFunctionType} codes. */
    static final int ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3, ACT_TANH = 4;

    private final TfliteModel model;
    private final OnnxGraphBuilder onnx;
    private final Map<Integer, Value> values = new HashMap<>();
    private final Set<Integer> graphOutputs = new HashSet<>();
    private final Set<String> tfliteNames = new HashSet<>();

    public LoweringContext(TfliteModel model, OnnxGraphBuilder onnx) {
        this.model = model;
        this.onnx = onnx;
        for (int o : model.outputs()) {
            graphOutputs.add(o);
        }
        model.tensors().forEach(t -> tfliteNames.add(t.name()));
    }

    public TfliteModel model() {
        return model;
    }

    public OnnxGraphBuilder onnx() {
        return onnx;
    }

    public TfliteModel.Tensor tensor(int index) {
        return model.tensor(index);
    }

    public boolean isConstant(int tensorIndex) {
        return tensorIndex >= 0 && model.tensor(tensorIndex).isConstant();
    }

    /** The ONNX value of an activation input of {@code op}. */
    public Value value(TfliteModel.Operator op, int tensorIndex) {
        Value v = values.get(tensorIndex);
        if (v == null) {
            TfliteModel.Tensor t = model.tensor(tensorIndex);
            throw unsupported(
                    op,
                    t.isConstant()
                            ? "input " + t + " is a constant where an activation is expected"
                            : "input " + t + " is not produced by any earlier operator");
        }
        return v;
    }

    /** The value standing for a tensor, or null when nothing produced it yet. */
    public Value lookup(int tensorIndex) {
        return values.get(tensorIndex);
    }

    /** A float32 constant input of {@code op}. */
    public TfliteModel.Tensor constant(TfliteModel.Operator op, int tensorIndex) {
        if (tensorIndex < 0) {
            throw unsupported(op, "a required constant input is missing");
        }
        TfliteModel.Tensor t = model.tensor(tensorIndex);
        if (!t.isConstant()) {
            throw unsupported(
                    op, "input " + t + " must be a constant (weights computed at run time are not supported)");
        }
        if (t.quantized() || t.type() != TfliteModel.TensorType.FLOAT32 && t.type() != TfliteModel.TensorType.INT32) {
            throw unsupported(
                    op,
                    "constant " + t + (t.quantized() ? " is quantised" : " has an unsupported type")
                            + "; only float32 weights convert");
        }
        return t;
    }

    /** Registers the value of a TFLite tensor and returns the ONNX name to write it under. */
    public String produce(int tensorIndex, Layout layout, long[] shape) {
        TfliteModel.Tensor t = model.tensor(tensorIndex);
        // A 4-D graph output keeps its TFLite name for the NHWC copy made at the boundary.
        String base = graphOutputs.contains(tensorIndex) && layout == Layout.NCHW ? t.name() + "/nchw" : t.name();
        String name = onnx.unique(base);
        values.put(tensorIndex, new Value(name, layout, shape.clone()));
        return name;
    }

    public void define(int tensorIndex, Value value) {
        values.put(tensorIndex, value);
    }

    /** A fresh name for an intermediate value that no TFLite tensor stands for. */
    public String temp(String base) {
        String name = onnx.unique(base);
        while (tfliteNames.contains(name)) {
            name = onnx.unique(base + "/tmp");
        }
        return name;
    }

    public String floatConstant(String base, long[] dims, float[] data) {
        return onnx.floatInitializer(temp(base), dims, data);
    }

    public String int64Constant(String base, long[] dims, long[] data) {
        return onnx.int64Initializer(temp(base), dims, data);
    }

    public void node(String opType, List<String> inputs, String output, Onnx.AttributeProto... attributes) {
        onnx.node(opType, inputs, List.of(output), attributes);
    }

    /**
     * Emits {@code opType} and then the op's fused activation, so the final ONNX value is {@code output}.
     */
    public void nodeWithActivation(
            TfliteModel.Operator op,
            int activation,
            String opType,
            List<String> inputs,
            String output,
            Onnx.AttributeProto... attributes) {
        if (activation == ACT_NONE) {
            node(opType, inputs, output, attributes);
            return;
        }
        String raw = temp(output + "/pre_activation");
        node(opType, inputs, raw, attributes);
        switch (activation) {
            case ACT_RELU -> node("Relu", List.of(raw), output);
            case ACT_RELU6 -> node("Clip", List.of(raw, scalar("zero", 0f), scalar("six", 6f)), output);
            case ACT_RELU_N1_TO_1 -> node("Clip", List.of(raw, scalar("minus_one", -1f), scalar("one", 1f)), output);
            case ACT_TANH -> node("Tanh", List.of(raw), output);
            default -> throw unsupported(op, "fused activation function code " + activation + " is not supported");
        }
    }

    public String scalar(String base, float v) {
        return floatConstant(base, new long[0], new float[] {v});
    }

    /** An error naming the op, its output tensor and the reason; the message a user sees for unconvertible models. */
    public ModelException unsupported(TfliteModel.Operator op, String why) {
        String out = op.outputs().length > 0 ? model.tensor(op.output()).toString() : "(no output)";
        return new ModelException(
                "cannot convert TFLite op " + op.opName() + " #" + op.index() + " (output " + out + "): " + why);
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}

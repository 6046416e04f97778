package io.facestream.embed.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.embed.model.convert.onnx.FloatTensors;
import io.facestream.embed.model.convert.onnx.Onnx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites every {@code PRelu(x, slope)} whose slope is a constant into {@code Add(x, Mul(Min(x, 0), slope − 1))}
 * before a CPU session opens the model. The two are the same function (for x ≥ 0 the second term is 0, for x < 0 it is
 * (slope − 1)·x), equal up to one float rounding. Why: ONNX Runtime's CPU {@code PRelu} kernel broadcasts a
 * per-channel slope element by element with a branch on each sign, and on real activations (signs mixed) it took
 * more time than all the convolutions of MobileFaceNet together (ONNX Runtime's profiler, batch 8, one thread), while
 * Min, Mul and Add are vectorised: rewritten, MobileFaceNet ran 1.9× faster (12.2 → 6.3 ms a face), and against
 * OpenCV DNN on the same file {@code bench embed} went from on par to 1.6–2.2× faster (docs/face-pipeline.md,
 * "PRelu on the CPU"). MTCNN's three networks use PRelu too.
 *
 * <p>Left alone: a slope that is not a float initializer (computed in the graph), a model before opset 8 (no
 * broadcasting {@code Min}), and a model with external data (its tensors live beside the file, which a session opened
 * from bytes would not find).
 */
public final class PreluRewrite {
    private static final String ZERO = "facestream/prelu/zero";

    /** The model as a session should open it, and how many PRelu nodes were rewritten (0: the bytes given). */
    public record Result(byte[] model, int rewritten) {}

    private PreluRewrite() {}

    public static Result apply(byte[] model) {
        Onnx.ModelProto proto;
        try {
            proto = Onnx.ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            return new Result(model, 0); // not ours to judge: ONNX Runtime says what is wrong with it
        }
        Onnx.GraphProto graph = proto.getGraph();
        boolean external = graph.getInitializerList().stream()
                .anyMatch(t -> t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL);
        long opset = proto.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(Onnx.OperatorSetIdProto::getVersion)
                .max()
                .orElse(0);
        if (external
                || opset < 8
                || graph.getNodeList().stream().noneMatch(n -> n.getOpType().equals("PRelu"))) {
            return new Result(model, 0);
        }
        Map<String, Onnx.TensorProto> initializers = new HashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Set<String> names = new HashSet<>(initializers.keySet());
        graph.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        graph.getInputList().forEach(i -> names.add(i.getName()));

        Onnx.GraphProto.Builder out = graph.toBuilder().clearNode();
        List<Onnx.NodeProto> nodes = new ArrayList<>();
        Map<String, String> slopeMinusOne = new HashMap<>();
        int rewritten = 0;
        String zero = null;
        for (Onnx.NodeProto n : graph.getNodeList()) {
            Onnx.TensorProto slope =
                    n.getOpType().equals("PRelu") && n.getInputCount() == 2 ? initializers.get(n.getInput(1)) : null;
            if (slope == null || slope.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
                nodes.add(n);
                continue;
            }
            if (zero == null) {
                zero = unique(ZERO, names);
                out.addInitializer(FloatTensors.of(zero, new long[0], new float[] {0f}));
            }
            String m1 = slopeMinusOne.computeIfAbsent(slope.getName(), s -> {
                float[] values = FloatTensors.read(slope);
                for (int i = 0; i < values.length; i++) {
                    values[i] -= 1f;
                }
                String name = unique(s + "/minus-one", names);
                out.addInitializer(FloatTensors.of(
                        name,
                        slope.getDimsList().stream().mapToLong(Long::longValue).toArray(),
                        values));
                return name;
            });
            String x = n.getInput(0);
            String y = n.getOutput(0);
            String min = unique(y + "/min", names);
            String mul = unique(y + "/mul", names);
            nodes.add(node("Min", n.getName() + "/min", List.of(x, zero), min));
            nodes.add(node("Mul", n.getName() + "/mul", List.of(min, m1), mul));
            nodes.add(node("Add", n.getName() + "/add", List.of(x, mul), y));
            rewritten++;
        }
        if (rewritten == 0) {
            return new Result(model, 0);
        }
        out.addAllNode(nodes);
        return new Result(proto.toBuilder().setGraph(out).build().toByteArray(), rewritten);
    }

    private static String unique(String base, Set<String> names) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private static Onnx.NodeProto node(String op, String name, List<String> inputs, String output) {
        return Onnx.NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addAllInput(inputs)
                .addOutput(output)
                .build();
    }
}

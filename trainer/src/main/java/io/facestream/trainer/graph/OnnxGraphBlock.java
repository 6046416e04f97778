package io.facestream.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.facestream.embed.model.convert.onnx.Onnx.GraphProto;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.convert.onnx.Onnx.NodeProto;
import io.facestream.embed.model.convert.onnx.Onnx.TensorProto;
import io.facestream.embed.model.convert.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ONNX embedding graph as a trainable DJL block. Float initializers consumed as weights (Conv, Gemm, MatMul,
 * PRelu, BatchNormalization) become DJL parameters; BatchNormalization running statistics become non-trainable
 * parameters that PyTorch updates in place in training mode; everything else stays a constant. The nodes run in the
 * file's (topological) order. {@link OnnxExport} writes the parameters back into the same graph.
 */
public final class OnnxGraphBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private record CompiledNode(
            String name, String opType, List<String> inputs, List<String> outputs, NodeKernel kernel) {}

    private final ModelProto model;
    private final String inputName;
    private final String outputName;
    private final List<CompiledNode> nodes = new ArrayList<>();
    private final Map<String, Parameter> state = new LinkedHashMap<>();
    private final Map<String, InitializerRole> roles = new LinkedHashMap<>();
    private final Map<String, NDArray> constants = new HashMap<>();

    private OnnxGraphBlock(ModelProto model, String inputName, String outputName) {
        super(VERSION);
        this.model = model;
        this.inputName = inputName;
        this.outputName = outputName;
    }

    /**
     * Imports a graph. Its arrays live in {@code manager} (and on its device).
     *
     * @param output the output holding the raw (un-normalised) embedding; null = the graph's first output
     * @throws UnsupportedOnnxException for ops the trainer cannot run, naming op and node, or a non-finite weight
     */
    public static OnnxGraphBlock load(NDManager manager, ModelProto model, String output) {
        GraphProto g = model.getGraph();
        String poisoned = OnnxTensors.firstNonFinite(model);
        if (poisoned != null) {
            throw new UnsupportedOnnxException(
                    "ONNX graph '" + g.getName() + "': initializer '" + poisoned
                            + "' holds NaN or Inf, so the model cannot be trained (re-install it, or start from another version)");
        }
        Map<String, TensorProto> initializers = g.getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t, (x, y) -> x, LinkedHashMap::new));
        List<String> realInputs = g.getInputList().stream()
                .map(ValueInfoProto::getName)
                .filter(n -> !initializers.containsKey(n))
                .toList();
        if (realInputs.size() != 1) {
            throw new UnsupportedOnnxException(
                    "ONNX graph '" + g.getName() + "' must have exactly one image input, has " + realInputs);
        }
        String out = output == null || output.isBlank() ? g.getOutput(0).getName() : output;
        OnnxGraphBlock block = new OnnxGraphBlock(model, realInputs.get(0), out);

        Map<String, InitializerRole> roles = new HashMap<>();
        for (NodeProto node : g.getNodeList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                TensorProto t = initializers.get(node.getInput(i));
                if (t != null && OnnxTensors.isFloat(t) && !InitializerRole.FROZEN.equals(t.getDocString())) {
                    InitializerRole r = InitializerRole.of(node.getOpType(), i);
                    roles.merge(t.getName(), r, (a, b) -> a.stateful() ? a : b);
                }
            }
        }
        Set<String> defined = new java.util.HashSet<>(initializers.keySet());
        defined.add(block.inputName);
        for (NodeProto node : g.getNodeList()) {
            if (node.getOpType().equals("Constant")) {
                block.constants.put(node.getOutput(0), constantOf(manager, node));
                defined.add(node.getOutput(0));
                continue;
            }
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new UnsupportedOnnxException("ONNX node '" + node.getName() + "' (op " + node.getOpType()
                            + ") reads '" + in + "' before anything defines it (graph not topologically sorted)");
                }
            }
            block.nodes.add(new CompiledNode(
                    node.getName(),
                    node.getOpType(),
                    node.getInputList(),
                    node.getOutputList(),
                    NodeKernels.compile(node)));
            defined.addAll(node.getOutputList());
        }
        if (!defined.contains(out)) {
            throw new UnsupportedOnnxException(
                    "ONNX graph '" + g.getName() + "' has no value named '" + out + "' to train as the embedding");
        }
        for (TensorProto t : initializers.values()) {
            InitializerRole role = roles.getOrDefault(t.getName(), InitializerRole.CONSTANT);
            NDArray array = OnnxTensors.toNd(manager, t);
            if (role == InitializerRole.CONSTANT) {
                block.constants.put(t.getName(), array);
                continue;
            }
            Parameter p = Parameter.builder()
                    .setName(t.getName())
                    .setType(
                            switch (role) {
                                case BIAS, NORM_BIAS -> Parameter.Type.BIAS;
                                case NORM_SCALE -> Parameter.Type.GAMMA;
                                case RUNNING_MEAN -> Parameter.Type.RUNNING_MEAN;
                                case RUNNING_VAR -> Parameter.Type.RUNNING_VAR;
                                default -> Parameter.Type.WEIGHT;
                            })
                    .optRequiresGrad(role.trainable())
                    .build();
            p.setArray(array);
            block.addParameter(p);
            block.state.put(t.getName(), p);
            block.roles.put(t.getName(), role);
        }
        Shape probe = block.inputShape(2);
        block.initialize(manager, DataType.FLOAT32, probe);
        return block;
    }

    private static NDArray constantOf(NDManager manager, NodeProto node) {
        NodeAttributes a = new NodeAttributes(node);
        if (a.raw("value") == null) {
            throw new UnsupportedOnnxException(
                    "ONNX node '" + node.getName() + "' (op Constant): only the 'value' tensor form is supported");
        }
        return OnnxTensors.toNd(manager, a.raw("value").getT());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        Map<String, NDArray> values = new HashMap<>();
        values.put(inputName, inputs.singletonOrThrow());
        for (CompiledNode node : nodes) {
            NDArray[] in = new NDArray[node.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = value(node.inputs().get(i), values, parameterStore, training);
            }
            NDArray[] out;
            try {
                out = node.kernel().apply(in, training);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "ONNX node '" + node.name() + "' (op " + node.opType() + ") failed on inputs "
                                + java.util.Arrays.stream(in)
                                        .map(x -> x == null ? "-" : x.getShape().toString())
                                        .toList()
                                + ": " + e.getMessage(),
                        e);
            }
            for (int i = 0; i < out.length && i < node.outputs().size(); i++) {
                values.put(node.outputs().get(i), out[i]);
            }
            if (values.containsKey(outputName)) {
                break;
            }
        }
        return new NDList(values.get(outputName));
    }

    private NDArray value(String name, Map<String, NDArray> values, ParameterStore store, boolean training) {
        if (name.isEmpty()) {
            return null;
        }
        NDArray v = values.get(name);
        if (v != null) {
            return v;
        }
        Parameter p = state.get(name);
        if (p != null) {
            return store == null ? p.getArray() : store.getValue(p, p.getArray().getDevice(), training);
        }
        return constants.get(name);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        // No static shape inference: run the graph once on zeros (inference mode leaves the running statistics alone).
        Parameter any = state.values().iterator().next();
        try (NDManager scratch = any.getArray().getManager().newSubManager()) {
            return new Shape[] {
                forward(null, new NDList(scratch.zeros(inputShapes[0])), false)
                        .singletonOrThrow()
                        .getShape()
            };
        }
    }

    /** The graph's input shape with dynamic dimensions replaced by {@code batch} (first) or refused. */
    public Shape inputShape(long batch) {
        ValueInfoProto in = model.getGraph().getInputList().stream()
                .filter(v -> v.getName().equals(inputName))
                .findFirst()
                .orElseThrow();
        var dims = in.getType().getTensorType().getShape().getDimList();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).hasDimValue() && dims.get(i).getDimValue() > 0
                    ? dims.get(i).getDimValue()
                    : i == 0 ? batch : -1;
            if (shape[i] < 0) {
                throw new UnsupportedOnnxException(
                        "ONNX input '" + inputName + "' has a dynamic non-batch dimension " + i);
            }
        }
        return new Shape(shape);
    }

    public ModelProto model() {
        return model;
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    /** Trainable and running-statistic parameters by initializer name, in file order. */
    public Map<String, Parameter> state() {
        return java.util.Collections.unmodifiableMap(state);
    }

    public InitializerRole role(String initializer) {
        return roles.getOrDefault(initializer, InitializerRole.CONSTANT);
    }

    /** Trainable parameter count (excludes running statistics and constants). */
    public long trainableSize() {
        return state.entrySet().stream()
                .filter(e -> roles.get(e.getKey()).trainable())
                .mapToLong(e -> e.getValue().getArray().size())
                .sum();
    }

    public List<String> opTypes() {
        return nodes.stream().map(CompiledNode::opType).distinct().sorted().toList();
    }
}

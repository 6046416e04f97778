package io.facestream.embed.model.convert.onnx;

import com.google.protobuf.ByteString;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Accumulates an ONNX graph (nodes, float/int64 initialisers, typed inputs and outputs) and writes the
 * {@link Onnx.ModelProto}. Names are kept unique here so that the lowering code can use TFLite names freely.
 */
public final class OnnxGraphBuilder {
    /** Dimension value meaning "dynamic": written as a symbolic {@code dim_param}. */
    public static final long DYNAMIC = -1;

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> opCounts = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int nodeCounter;

    public OnnxGraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** A name not used yet, derived from {@code base}. */
    public String unique(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    public String floatInitializer(String baseName, long[] dims, float[] values) {
        String name = unique(baseName);
        graph.addInitializer(FloatTensors.of(name, dims, values));
        return name;
    }

    public String int64Initializer(String baseName, long[] dims, long[] values) {
        String name = unique(baseName);
        graph.addInitializer(Onnx.TensorProto.newBuilder()
                .setName(name)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addAllDims(boxed(dims))
                .addAllInt64Data(boxed(values)));
        return name;
    }

    /** Adds a node; its output names must come from {@link #unique(String)}. */
    public void node(String opType, List<String> inputs, List<String> outputs, Onnx.AttributeProto... attributes) {
        graph.addNode(Onnx.NodeProto.newBuilder()
                .setOpType(opType)
                .setName(opType + "_" + nodeCounter++)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)));
        opCounts.merge(opType, 1, Integer::sum);
    }

    public void input(String name, long[] dims, String... dimNames) {
        graph.addInput(valueInfo(name, dims, dimNames));
    }

    public void output(String name, long[] dims, String... dimNames) {
        graph.addOutput(valueInfo(name, dims, dimNames));
    }

    public void metadata(String key, String value) {
        metadata.put(key, value);
    }

    /** Node count per ONNX op type. */
    public Map<String, Integer> opCounts() {
        return Map.copyOf(opCounts);
    }

    public Onnx.ModelProto build(long irVersion, long opset, String producer, String producerVersion) {
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(irVersion)
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setProducerName(producer)
                .setProducerVersion(producerVersion)
                .setGraph(graph);
        metadata.forEach((k, v) -> model.addMetadataProps(
                Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    /** {@code dims[i] == DYNAMIC} becomes the symbolic dimension {@code dimNames[i]}. */
    private static Onnx.ValueInfoProto valueInfo(String name, long[] dims, String[] dimNames) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            Onnx.TensorShapeProto.Dimension.Builder d = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (dims[i] == DYNAMIC) {
                d.setDimParam(i < dimNames.length && dimNames[i] != null ? dimNames[i] : name + "_dim" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape)))
                .build();
    }

    public static Onnx.AttributeProto ints(String name, long... values) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS)
                .addAllInts(boxed(values))
                .build();
    }

    public static Onnx.AttributeProto ints(String name, int... values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            l[i] = values[i];
        }
        return ints(name, l);
    }

    public static Onnx.AttributeProto integer(String name, long value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    public static Onnx.AttributeProto string(String name, String value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value))
                .build();
    }

    private static List<Long> boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}

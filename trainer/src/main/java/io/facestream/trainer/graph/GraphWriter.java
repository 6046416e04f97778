package io.facestream.trainer.graph;

import ai.djl.ndarray.types.Shape;
import io.facestream.embed.model.convert.onnx.Onnx.AttributeProto;
import io.facestream.embed.model.convert.onnx.Onnx.GraphProto;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.convert.onnx.Onnx.NodeProto;
import io.facestream.embed.model.convert.onnx.Onnx.OperatorSetIdProto;
import io.facestream.embed.model.convert.onnx.Onnx.TensorProto;
import io.facestream.embed.model.convert.onnx.Onnx.TensorShapeProto;
import io.facestream.embed.model.convert.onnx.Onnx.TypeProto;
import io.facestream.embed.model.convert.onnx.Onnx.ValueInfoProto;

/** Appends nodes and initializers to an ONNX graph under construction (opset 13), with unique value names. */
final class GraphWriter {
    static final int OPSET = 13;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    GraphWriter(String name) {
        graph.setName(name);
    }

    String fresh(String prefix) {
        return prefix + "_" + (counter++);
    }

    void input(String name, long... dims) {
        graph.addInput(valueInfo(name, dims));
    }

    void output(String name, long... dims) {
        graph.addOutput(valueInfo(name, dims));
    }

    String initializer(String name, Shape shape, float[] values) {
        graph.addInitializer(OnnxTensors.floatTensor(name, shape, values));
        return name;
    }

    /** An initializer the trainer must never update (see {@link InitializerRole#FROZEN}). */
    String frozen(String name, Shape shape, float[] values) {
        graph.addInitializer(
                OnnxTensors.floatTensor(name, shape, values).toBuilder().setDocString(InitializerRole.FROZEN));
        return name;
    }

    String node(String opType, String name, String[] inputs, AttributeProto... attributes) {
        return nodeTo(opType, name, name + "_out", inputs, attributes);
    }

    /** A node whose output gets a chosen name (graph outputs). */
    String nodeTo(String opType, String name, String out, String[] inputs, AttributeProto... attributes) {
        NodeProto.Builder n =
                NodeProto.newBuilder().setOpType(opType).setName(name).addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return out;
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    ModelProto model(String producer) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName(producer)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    /** A float tensor value; a dimension ≤ 0 is the dynamic batch "N". */
    private static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(
                    d > 0
                            ? TensorShapeProto.Dimension.newBuilder().setDimValue(d)
                            : TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape)))
                .build();
    }
}

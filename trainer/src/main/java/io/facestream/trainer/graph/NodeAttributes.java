package io.facestream.trainer.graph;

import io.facestream.embed.model.convert.onnx.Onnx.AttributeProto;
import io.facestream.embed.model.convert.onnx.Onnx.NodeProto;
import java.util.HashMap;
import java.util.Map;

/** Typed access to a node's attributes with ONNX defaults. */
final class NodeAttributes {
    private final Map<String, AttributeProto> byName = new HashMap<>();

    NodeAttributes(NodeProto node) {
        node.getAttributeList().forEach(a -> byName.put(a.getName(), a));
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long integer(String name, long fallback) {
        AttributeProto a = byName.get(name);
        return a == null ? fallback : a.getI();
    }

    float real(String name, float fallback) {
        AttributeProto a = byName.get(name);
        return a == null ? fallback : a.getF();
    }

    String text(String name, String fallback) {
        AttributeProto a = byName.get(name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    long[] integers(String name, long[] fallback) {
        AttributeProto a = byName.get(name);
        return a == null
                ? fallback
                : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    AttributeProto raw(String name) {
        return byName.get(name);
    }
}

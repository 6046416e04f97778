package io.facestream.embed.model.convert.fuse;

import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Who produces and who consumes each tensor of a TFLite graph: what the pattern matchers walk. */
public final class GraphIndex {
    private final TfliteModel model;
    private final Map<Integer, TfliteModel.Operator> producers = new HashMap<>();
    private final Map<Integer, List<TfliteModel.Operator>> consumers = new HashMap<>();
    private final Set<Integer> graphOutputs = new HashSet<>();

    public GraphIndex(TfliteModel model) {
        this.model = model;
        for (TfliteModel.Operator op : model.operators()) {
            for (int o : op.outputs()) {
                producers.put(o, op);
            }
            for (int i : op.inputs()) {
                if (i >= 0) {
                    consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(op);
                }
            }
        }
        for (int o : model.outputs()) {
            graphOutputs.add(o);
        }
    }

    public TfliteModel model() {
        return model;
    }

    /** The op producing a tensor, or null for graph inputs and constants. */
    public TfliteModel.Operator producer(int tensor) {
        return tensor < 0 ? null : producers.get(tensor);
    }

    public List<TfliteModel.Operator> consumers(int tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    /** True when the tensor feeds only {@code expected} ops and is not a graph output: safe to fuse away. */
    public boolean onlyFeeds(int tensor, TfliteModel.Operator... expected) {
        if (graphOutputs.contains(tensor)) {
            return false;
        }
        List<TfliteModel.Operator> actual = consumers(tensor);
        if (actual.size() != expected.length) {
            return false;
        }
        for (TfliteModel.Operator e : expected) {
            if (!actual.contains(e)) {
                return false;
            }
        }
        return true;
    }

    public boolean isConstant(int tensor) {
        return tensor >= 0 && model.tensor(tensor).isConstant();
    }
}

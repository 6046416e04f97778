package io.facestream.embed.model.convert.fuse;

import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Finds every PReLU and softmax idiom in a graph. Patterns never overlap: each op is claimed at most once. */
public final class PatternMatcher {
    private PatternMatcher() {}

    /** Fused ops keyed by their anchor op index. */
    public static Map<Integer, FusedOp> match(TfliteModel model) {
        GraphIndex graph = new GraphIndex(model);
        Map<Integer, FusedOp> byAnchor = new LinkedHashMap<>();
        java.util.Set<Integer> claimed = new java.util.HashSet<>();
        for (TfliteModel.Operator op : model.operators()) {
            Optional<? extends FusedOp> found = PreluFusion.match(op, graph);
            if (found.isEmpty()) {
                found = SoftmaxFusion.match(op, graph);
            }
            found.filter(f -> f.covered().stream().noneMatch(claimed::contains)).ifPresent(f -> {
                claimed.addAll(f.covered());
                byAnchor.put(f.anchor(), f);
            });
        }
        return byAnchor;
    }
}

package io.facestream.embed.model.convert.fuse;

import io.facestream.embed.model.convert.lower.Layout;
import io.facestream.embed.model.convert.lower.LoweringContext;
import io.facestream.embed.model.convert.lower.Value;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Softmax over the last axis written as five ops: {@code e = exp(x − reduce_max(x)); e / sum(e)} (both reductions
 * keep dims). It becomes one ONNX {@code Softmax}; on an NCHW value the axis is 1, which means "per pixel over the
 * channels" only from opset 13 on (older opsets flatten to 2-D and would silently mix pixels).
 */
public final class SoftmaxFusion {
    private static final int KEEP_DIMS = 0;

    private SoftmaxFusion() {}

    public record Softmax(int anchor, Set<Integer> covered, int input, int output) implements FusedOp {
        @Override
        public String pattern() {
            return "softmax";
        }

        @Override
        public void lower(LoweringContext ctx) {
            TfliteModel.Operator op = ctx.model().operators().get(anchor);
            Value x = ctx.value(op, input);
            int axis = x.layout() == Layout.NCHW ? Layout.nchwAxis(x.rank() - 1) : x.rank() - 1;
            String out = ctx.produce(output, x.layout(), x.shape());
            ctx.node("Softmax", List.of(x.name()), out, OnnxGraphBuilder.integer("axis", axis));
        }
    }

    static Optional<Softmax> match(TfliteModel.Operator div, GraphIndex g) {
        if (div.op() != BuiltinOperator.DIV || PreluFusion.hasActivation(div)) {
            return Optional.empty();
        }
        int e = div.input(0);
        int s = div.input(1);
        TfliteModel.Operator exp = g.producer(e);
        TfliteModel.Operator sum = g.producer(s);
        if (exp == null
                || exp.op() != BuiltinOperator.EXP
                || sum == null
                || sum.op() != BuiltinOperator.SUM
                || sum.input(0) != e
                || !g.onlyFeeds(e, div, sum)
                || !g.onlyFeeds(s, div)) {
            return Optional.empty();
        }
        TfliteModel.Operator sub = g.producer(exp.input(0));
        if (sub == null
                || sub.op() != BuiltinOperator.SUB
                || PreluFusion.hasActivation(sub)
                || !g.onlyFeeds(exp.input(0), exp)) {
            return Optional.empty();
        }
        int x = sub.input(0);
        TfliteModel.Operator max = g.producer(sub.input(1));
        if (max == null
                || max.op() != BuiltinOperator.REDUCE_MAX
                || max.input(0) != x
                || !g.onlyFeeds(sub.input(1), sub)) {
            return Optional.empty();
        }
        int rank = g.model().tensor(x).rank();
        if (!lastAxisKeepDims(g, max, rank) || !lastAxisKeepDims(g, sum, rank)) {
            return Optional.empty();
        }
        return Optional.of(new Softmax(
                div.index(), Set.of(max.index(), sub.index(), exp.index(), sum.index(), div.index()), x, div.output()));
    }

    private static boolean lastAxisKeepDims(GraphIndex g, TfliteModel.Operator reduce, int rank) {
        if (!g.isConstant(reduce.input(1))
                || reduce.options() == null
                || !reduce.options().getBool(KEEP_DIMS)) {
            return false;
        }
        long[] axes = g.model().tensor(reduce.input(1)).longs();
        return axes.length == 1 && (axes[0] == -1 || axes[0] == rank - 1);
    }
}

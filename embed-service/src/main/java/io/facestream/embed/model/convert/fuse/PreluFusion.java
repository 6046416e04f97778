package io.facestream.embed.model.convert.fuse;

import io.facestream.embed.model.convert.lower.Layout;
import io.facestream.embed.model.convert.lower.LoweringContext;
import io.facestream.embed.model.convert.lower.Value;
import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * PReLU written as element-wise chains (these TFLite files have no PRELU op), recognised in two forms:
 * <ul>
 *   <li>MTCNN (davidsandberg's {@code prelu}): {@code relu(x) + alpha · neg(relu(neg(x)))} — slope {@code alpha};</li>
 *   <li>MobileFaceNet (sirius-ai): {@code relu(x) + c · (x − abs(x))} with {@code c = alpha/2} already folded —
 *       slope {@code 2c} (exact: scaling by two only changes the exponent).</li>
 * </ul>
 * Either becomes one {@code PRelu(x, slope)}, with the per-channel slope shaped {@code [C,1,1]} for NCHW values.
 */
public final class PreluFusion {
    private PreluFusion() {}

    public record Prelu(int anchor, Set<Integer> covered, String pattern, int input, int output, float[] slope)
            implements FusedOp {
        @Override
        public void lower(LoweringContext ctx) {
            TfliteModel.Operator op = ctx.model().operators().get(anchor);
            Value x = ctx.value(op, input);
            long channels = x.dim(x.rank() - 1);
            if (slope.length != 1 && channels > 0 && slope.length != channels) {
                throw ctx.unsupported(op, "PReLU slope has " + slope.length + " values for " + channels + " channels");
            }
            long[] dims;
            if (slope.length == 1) {
                dims = new long[0];
            } else if (x.layout() == Layout.NCHW) {
                dims = new long[] {slope.length, 1, 1};
            } else {
                dims = new long[] {slope.length};
            }
            String slopeName = ctx.floatConstant(ctx.tensor(output).name() + "/slope", dims, slope);
            String out = ctx.produce(output, x.layout(), x.shape());
            ctx.node("PRelu", List.of(x.name(), slopeName), out);
        }
    }

    static Optional<Prelu> match(TfliteModel.Operator add, GraphIndex g) {
        if (add.op() != BuiltinOperator.ADD || add.inputs().length != 2 || hasActivation(add)) {
            return Optional.empty();
        }
        for (int side = 0; side < 2; side++) {
            Optional<Prelu> found = match(add, g, add.input(side), add.input(1 - side));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<Prelu> match(TfliteModel.Operator add, GraphIndex g, int positive, int negative) {
        TfliteModel.Operator relu = g.producer(positive);
        TfliteModel.Operator mul = g.producer(negative);
        if (relu == null
                || relu.op() != BuiltinOperator.RELU
                || mul == null
                || mul.op() != BuiltinOperator.MUL
                || hasActivation(mul)
                || !g.onlyFeeds(positive, add)
                || !g.onlyFeeds(negative, add)) {
            return Optional.empty();
        }
        int x = relu.input(0);
        for (int k = 0; k < 2; k++) {
            int constant = mul.input(k);
            int branch = mul.input(1 - k);
            if (!g.isConstant(constant)
                    || g.isConstant(branch)
                    || g.model().tensor(constant).type() != TfliteModel.TensorType.FLOAT32
                    || !perChannel(g, constant)) {
                continue;
            }
            TfliteModel.Operator p = g.producer(branch);
            if (p == null || !g.onlyFeeds(branch, mul)) {
                continue;
            }
            float[] c = g.model().tensor(constant).floats();
            if (p.op() == BuiltinOperator.NEG) {
                TfliteModel.Operator relu2 = g.producer(p.input(0));
                if (relu2 == null || relu2.op() != BuiltinOperator.RELU || !g.onlyFeeds(p.input(0), p)) {
                    continue;
                }
                TfliteModel.Operator neg = g.producer(relu2.input(0));
                if (neg == null
                        || neg.op() != BuiltinOperator.NEG
                        || neg.input(0) != x
                        || !g.onlyFeeds(relu2.input(0), relu2)) {
                    continue;
                }
                return Optional.of(new Prelu(
                        add.index(),
                        Set.of(relu.index(), neg.index(), relu2.index(), p.index(), mul.index(), add.index()),
                        "prelu(relu+neg)",
                        x,
                        add.output(),
                        c));
            }
            if (p.op() == BuiltinOperator.SUB && !hasActivation(p) && p.input(0) == x) {
                TfliteModel.Operator abs = g.producer(p.input(1));
                if (abs == null
                        || abs.op() != BuiltinOperator.ABS
                        || abs.input(0) != x
                        || !g.onlyFeeds(p.input(1), p)) {
                    continue;
                }
                float[] slope = new float[c.length];
                for (int i = 0; i < c.length; i++) {
                    slope[i] = 2 * c[i];
                }
                return Optional.of(new Prelu(
                        add.index(),
                        Set.of(relu.index(), abs.index(), p.index(), mul.index(), add.index()),
                        "prelu(x-abs)",
                        x,
                        add.output(),
                        slope));
            }
        }
        return Optional.empty();
    }

    /** A scalar or a vector along the last axis (all other dims 1): what a PReLU slope can be. */
    private static boolean perChannel(GraphIndex g, int tensor) {
        int[] shape = g.model().tensor(tensor).shape();
        for (int i = 0; i < shape.length - 1; i++) {
            if (shape[i] != 1) {
                return false;
            }
        }
        return true;
    }

    static boolean hasActivation(TfliteModel.Operator op) {
        // Add/Sub/Mul/DivOptions keep fused_activation_function in field 0.
        return op.options() != null && op.options().getByte(0, 0) != 0;
    }
}

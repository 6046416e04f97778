package io.facestream.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.facestream.embed.model.convert.onnx.Onnx.NodeProto;
import io.facestream.trainer.torch.Owned;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * ONNX operators as DJL NDArray ops, all differentiable on the PyTorch engine. The set covers what our converted
 * MobileFaceNet, IR-style ResNets and the torch.onnx export of AdaFace's nets (ops/scripts/export_adaface_onnx.py:
 * shape arithmetic for the flatten, and the L2 norm around the raw feature) contain; anything else is refused at
 * import, naming the node.
 */
final class NodeKernels {
    /** Every op type {@link #compile} accepts; listed in the error for anything else. */
    static final Set<String> SUPPORTED = new TreeSet<>(Set.of(
            "Conv",
            "BatchNormalization",
            "PRelu",
            "Relu",
            "LeakyRelu",
            "Sigmoid",
            "Tanh",
            "Abs",
            "Neg",
            "Add",
            "Sub",
            "Mul",
            "Div",
            "Gemm",
            "MatMul",
            "Flatten",
            "Reshape",
            "Transpose",
            "MaxPool",
            "AveragePool",
            "GlobalAveragePool",
            "Dropout",
            "Identity",
            "Concat",
            "Squeeze",
            "Unsqueeze",
            "Softmax",
            "Pad",
            "Clip",
            "Shape",
            "Gather",
            "Cast",
            "ReduceL2",
            "ReduceSum",
            "ReduceMean",
            "Sqrt",
            "Pow",
            "Exp"));

    private NodeKernels() {}

    static NodeKernel compile(NodeProto node) {
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw unsupported(node, "operator domain '" + node.getDomain() + "' is not the default ONNX domain");
        }
        NodeAttributes a = new NodeAttributes(node);
        return switch (node.getOpType()) {
            case "Conv" -> conv(node, a);
            case "BatchNormalization" -> batchNorm(a);
            case "PRelu" -> (in, t) -> one(prelu(in[0], in[1]));
            case "Relu" -> (in, t) -> one(Activation.relu(in[0]));
            case "LeakyRelu" -> leakyRelu(a);
            case "Sigmoid" -> (in, t) -> one(in[0].getNDArrayInternal().sigmoid());
            case "Tanh" -> (in, t) -> one(in[0].tanh());
            case "Abs" -> (in, t) -> one(in[0].abs());
            case "Neg" -> (in, t) -> one(in[0].neg());
            case "Add" -> (in, t) -> one(in[0].add(in[1]));
            case "Sub" -> (in, t) -> one(in[0].sub(in[1]));
            case "Mul" -> (in, t) -> one(in[0].mul(in[1]));
            case "Div" -> (in, t) -> one(in[0].div(in[1]));
            case "Gemm" -> gemm(a);
            case "MatMul" -> (in, t) -> one(in[0].matMul(in[1]));
            case "Flatten" -> flatten(a);
            case "Reshape" -> reshape(node, a);
            case "Transpose" -> transpose(a);
            case "MaxPool" -> pool(node, a, true);
            case "AveragePool" -> pool(node, a, false);
            case "GlobalAveragePool" ->
                (in, t) -> {
                    Shape s = in[0].getShape();
                    return one(Pool.globalAvgPool2d(in[0]).reshape(s.get(0), s.get(1), 1, 1));
                };
            case "Dropout" -> dropout(node, a);
            case "Identity" -> (in, t) -> one(in[0]);
            case "Concat" -> (in, t) -> one(NDArrays.concat(new NDList(in), (int) a.integer("axis", 0)));
            case "Squeeze" -> squeeze(a);
            case "Unsqueeze" -> unsqueeze(a);
            case "Softmax" -> (in, t) -> one(in[0].softmax((int) a.integer("axis", -1)));
            case "Pad" -> pad(node, a);
            case "Clip" -> clip(a);
            // What torch.onnx adds around an AdaFace backbone: x.view(x.size(0), -1) becomes Shape → Gather →
            // Unsqueeze → Concat → Reshape, and torch.norm / division become ReduceL2 / Div.
            case "Shape" -> shape(a);
            case "Gather" -> gather(node, a);
            case "Cast" -> cast(node, a);
            case "ReduceL2" -> reduce(a, (x, axes, keep) -> x.norm(axes, keep));
            case "ReduceSum" -> reduce(a, (x, axes, keep) -> x.sum(axes, keep));
            case "ReduceMean" -> reduce(a, (x, axes, keep) -> x.mean(axes, keep));
            case "Sqrt" -> (in, t) -> one(in[0].sqrt());
            case "Pow" -> (in, t) -> one(in[0].pow(in[1]));
            case "Exp" -> (in, t) -> one(in[0].exp());
            default -> throw unsupported(node, "op is not supported by the trainer (supported: " + SUPPORTED + ")");
        };
    }

    static UnsupportedOnnxException unsupported(NodeProto node, String why) {
        return new UnsupportedOnnxException("ONNX node '" + node.getName() + "' (op " + node.getOpType() + "): " + why);
    }

    private static NDArray[] one(NDArray x) {
        return new NDArray[] {x};
    }

    private static NodeKernel conv(NodeProto node, NodeAttributes a) {
        long[] strides = a.integers("strides", new long[] {1, 1});
        long[] dilations = a.integers("dilations", new long[] {1, 1});
        long[] pads = a.integers("pads", new long[] {0, 0, 0, 0});
        String autoPad = a.text("auto_pad", "NOTSET");
        int groups = (int) a.integer("group", 1);
        if (strides.length != 2) {
            throw unsupported(node, "only 2-D convolutions are supported, strides has " + strides.length + " dims");
        }
        return (in, t) -> {
            NDArray x = in[0];
            NDArray w = in[1];
            long[] p = autoPad.startsWith("SAME")
                    ? samePads(x.getShape(), w.getShape(), strides, dilations, autoPad)
                    : autoPad.equals("VALID") ? new long[4] : pads;
            Shape padding;
            if (p[0] == p[2] && p[1] == p[3]) {
                padding = new Shape(p[0], p[1]);
            } else {
                // PyTorch pads symmetrically only; pad explicitly (torch order: last axis first) then convolve
                // unpadded.
                x = x.pad(new Shape(p[1], p[3], p[0], p[2]), 0);
                padding = new Shape(0, 0);
            }
            return one(Conv2d.conv2d(
                            x,
                            w,
                            in.length > 2 ? in[2] : null,
                            new Shape(strides),
                            padding,
                            new Shape(dilations),
                            groups)
                    .singletonOrThrow());
        };
    }

    /** ONNX SAME_UPPER/SAME_LOWER: output = ceil(input / stride); odd padding goes at the end (UPPER) or start (LOWER). */
    private static long[] samePads(Shape x, Shape w, long[] strides, long[] dilations, String mode) {
        long[] p = new long[4];
        for (int d = 0; d < 2; d++) {
            long size = x.get(2 + d);
            long out = (size + strides[d] - 1) / strides[d];
            long total = Math.max((out - 1) * strides[d] + (w.get(2 + d) - 1) * dilations[d] + 1 - size, 0);
            long small = total / 2;
            p[d] = mode.equals("SAME_UPPER") ? small : total - small;
            p[d + 2] = total - p[d];
        }
        return p;
    }

    private static NodeKernel batchNorm(NodeAttributes a) {
        float eps = a.real("epsilon", 1e-5f);
        // ONNX and DJL share the convention running = momentum·running + (1 − momentum)·batch (default 0.9, i.e.
        // PyTorch's 0.1).
        float momentum = a.real("momentum", 0.9f);
        // axis −1 makes DJL call torch.batch_norm directly, which normalises dim 1 for both [N,C] and [N,C,H,W].
        return (in, t) -> one(BatchNorm.batchNorm(in[0], in[3], in[4], in[1], in[2], -1, momentum, eps, t)
                .singletonOrThrow());
    }

    private static NodeKernel leakyRelu(NodeAttributes a) {
        float alpha = a.real("alpha", 0.01f);
        return (in, t) -> one(prelu(in[0], Owned.scalar(in[0], alpha)));
    }

    /** max(x, 0) + min(x, 0)·slope as relu(x) − relu(−x)·slope: no Java scalar for autograd to keep (see {@link Owned}). */
    private static NDArray prelu(NDArray x, NDArray slope) {
        return Activation.relu(x).sub(Activation.relu(x.neg()).mul(slope));
    }

    private static NodeKernel gemm(NodeAttributes a) {
        float alpha = a.real("alpha", 1f);
        float beta = a.real("beta", 1f);
        boolean transA = a.integer("transA", 0) != 0;
        boolean transB = a.integer("transB", 0) != 0;
        return (in, t) -> {
            NDArray y = (transA ? in[0].transpose() : in[0]).matMul(transB ? in[1].transpose() : in[1]);
            if (alpha != 1f) {
                y = y.mul(Owned.scalar(y, alpha));
            }
            if (in.length > 2 && in[2] != null) {
                y = y.add(beta == 1f ? in[2] : in[2].mul(Owned.scalar(y, beta)));
            }
            return one(y);
        };
    }

    private static NodeKernel flatten(NodeAttributes a) {
        int axis = (int) a.integer("axis", 1);
        return (in, t) -> {
            Shape s = in[0].getShape();
            int ax = axis < 0 ? axis + s.dimension() : axis;
            long outer = 1;
            for (int i = 0; i < ax; i++) {
                outer *= s.get(i);
            }
            return one(in[0].reshape(outer, s.size() / Math.max(outer, 1)));
        };
    }

    private static NodeKernel reshape(NodeProto node, NodeAttributes a) {
        boolean allowZero = a.integer("allowzero", 0) != 0;
        return (in, t) -> {
            long[] target = in[1].toLongArray();
            Shape s = in[0].getShape();
            long[] dims = target.clone();
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == 0 && !allowZero) {
                    dims[i] = s.get(i);
                }
            }
            return one(in[0].reshape(new Shape(dims)));
        };
    }

    private static NodeKernel transpose(NodeAttributes a) {
        long[] perm = a.integers("perm", null);
        return (in, t) -> one(
                perm == null
                        ? in[0].transpose()
                        : in[0].transpose(
                                Arrays.stream(perm).mapToInt(v -> (int) v).toArray()));
    }

    private static NodeKernel pool(NodeProto node, NodeAttributes a, boolean max) {
        long[] kernel = a.integers("kernel_shape", null);
        if (kernel == null || kernel.length != 2) {
            throw unsupported(node, "only 2-D pooling with kernel_shape is supported");
        }
        long[] strides = a.integers("strides", new long[] {1, 1});
        long[] pads = a.integers("pads", new long[] {0, 0, 0, 0});
        boolean ceil = a.integer("ceil_mode", 0) != 0;
        boolean countPad = a.integer("count_include_pad", 0) != 0;
        if (!a.text("auto_pad", "NOTSET").equals("NOTSET")
                && !a.text("auto_pad", "NOTSET").equals("VALID")) {
            throw unsupported(
                    node, "auto_pad " + a.text("auto_pad", "") + " is not supported for pooling; export explicit pads");
        }
        return (in, t) -> {
            NDArray x = in[0];
            Shape padding = new Shape(pads[0], pads[1]);
            if (pads[0] != pads[2] || pads[1] != pads[3]) {
                x = x.pad(new Shape(pads[1], pads[3], pads[0], pads[2]), max ? -Float.MAX_VALUE : 0);
                padding = new Shape(0, 0);
            }
            return one(
                    max
                            ? Pool.maxPool2d(x, new Shape(kernel), new Shape(strides), padding, ceil)
                            : Pool.avgPool2d(x, new Shape(kernel), new Shape(strides), padding, ceil, countPad));
        };
    }

    private static NodeKernel dropout(NodeProto node, NodeAttributes a) {
        if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
            throw unsupported(node, "the mask output of Dropout is not supported");
        }
        float attrRatio = a.real("ratio", 0.5f);
        return (in, t) -> {
            if (!t) {
                return one(in[0]);
            }
            float ratio = in.length > 1 && in[1] != null
                    ? in[1].toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat()
                    : attrRatio;
            return one(Dropout.dropout(in[0], ratio, true).singletonOrThrow());
        };
    }

    private static NodeKernel squeeze(NodeAttributes a) {
        long[] attrAxes = a.integers("axes", null);
        return (in, t) -> {
            long[] axes = in.length > 1 && in[1] != null ? in[1].toLongArray() : attrAxes;
            return one(
                    axes == null
                            ? in[0].squeeze()
                            : in[0].squeeze(
                                    Arrays.stream(axes).mapToInt(v -> (int) v).toArray()));
        };
    }

    private static NodeKernel unsqueeze(NodeAttributes a) {
        long[] attrAxes = a.integers("axes", null);
        return (in, t) -> {
            long[] axes = in.length > 1 && in[1] != null ? in[1].toLongArray() : attrAxes;
            NDArray x = in[0];
            long[] sorted = axes.clone();
            Arrays.sort(sorted);
            int rank = x.getShape().dimension() + sorted.length;
            for (long ax : sorted) {
                x = x.expandDims((int) (ax < 0 ? ax + rank : ax));
            }
            return one(x);
        };
    }

    private static NodeKernel pad(NodeProto node, NodeAttributes a) {
        if (!a.text("mode", "constant").equals("constant")) {
            throw unsupported(node, "only constant padding is supported, got mode " + a.text("mode", ""));
        }
        return (in, t) -> {
            long[] p = in.length > 1 && in[1] != null ? in[1].toLongArray() : a.integers("pads", new long[0]);
            float value = in.length > 2 && in[2] != null ? in[2].getFloat() : a.real("value", 0f);
            int rank = p.length / 2;
            // ONNX: [x1_begin, x2_begin, ..., x1_end, ...]; torch: last axis first, (begin, end) pairs.
            long[] torch = new long[p.length];
            for (int d = 0; d < rank; d++) {
                torch[2 * d] = p[rank - 1 - d];
                torch[2 * d + 1] = p[2 * rank - 1 - d];
            }
            return one(in[0].pad(new Shape(torch), value));
        };
    }

    /** The input's dimensions as an int64 vector; opset 15's start/end select a slice of them. */
    private static NodeKernel shape(NodeAttributes a) {
        long start = a.integer("start", 0);
        long end = a.integer("end", Long.MAX_VALUE);
        return (in, t) -> {
            long[] dims = in[0].getShape().getShape();
            int r = dims.length;
            int from = (int) Math.max(0, Math.min(r, start < 0 ? start + r : start));
            int to = (int) Math.max(0, Math.min(r, end < 0 ? end + r : end));
            return one(Owned.copyOf(in[0].getManager(), Arrays.copyOfRange(dims, from, Math.max(from, to))));
        };
    }

    /**
     * numpy-style take along an axis, for the integer shape arithmetic exporters emit (a 1-D int64 vector indexed by
     * a scalar or a vector). Gathering from float tensors (embedding lookups) is refused at run time, naming the node.
     */
    private static NodeKernel gather(NodeProto node, NodeAttributes a) {
        long axis = a.integer("axis", 0);
        return (in, t) -> {
            NDArray data = in[0];
            if (data.getShape().dimension() != 1 || data.getDataType() != DataType.INT64 || axis != 0) {
                throw unsupported(
                        node,
                        "Gather is supported on 1-D int64 shape vectors only, got " + data.getDataType() + " "
                                + data.getShape() + " axis " + axis);
            }
            long[] values = data.toLongArray();
            long[] idx = in[1].toType(DataType.INT64, false).toLongArray();
            long[] out = new long[idx.length];
            for (int i = 0; i < idx.length; i++) {
                long k = idx[i] < 0 ? idx[i] + values.length : idx[i];
                if (k < 0 || k >= values.length) {
                    throw unsupported(node, "index " + idx[i] + " is outside a vector of " + values.length);
                }
                out[i] = values[(int) k];
            }
            NDArray r = Owned.copyOf(data.getManager(), out);
            return one(in[1].getShape().dimension() == 0 ? r.reshape(new Shape()) : r.reshape(in[1].getShape()));
        };
    }

    private static NodeKernel cast(NodeProto node, NodeAttributes a) {
        DataType to = switch ((int) a.integer("to", 1)) {
            case 1 -> DataType.FLOAT32;
            case 6 -> DataType.INT32;
            case 7 -> DataType.INT64;
            case 9 -> DataType.BOOLEAN;
            case 11 -> DataType.FLOAT64;
            default -> throw unsupported(node, "Cast to ONNX type " + a.integer("to", 1) + " is not supported");
        };
        return (in, t) -> one(in[0].toType(to, false));
    }

    @FunctionalInterface
    private interface Reduction {
        NDArray apply(NDArray x, int[] axes, boolean keepDims);
    }

    /** Reduce* with axes as attribute (opset ≤ 17) or second input (ReduceSum 13+, all of them 18+); none = all axes. */
    private static NodeKernel reduce(NodeAttributes a, Reduction op) {
        long[] attrAxes = a.integers("axes", null);
        boolean keep = a.integer("keepdims", 1) != 0;
        return (in, t) -> {
            long[] axes = in.length > 1 && in[1] != null ? in[1].toLongArray() : attrAxes;
            int rank = in[0].getShape().dimension();
            int[] ax = axes == null || axes.length == 0
                    ? java.util.stream.IntStream.range(0, rank).toArray()
                    : Arrays.stream(axes)
                            .mapToInt(v -> (int) (v < 0 ? v + rank : v))
                            .toArray();
            return one(op.apply(in[0], ax, keep));
        };
    }

    private static NodeKernel clip(NodeAttributes a) {
        return (in, t) -> {
            float lo = in.length > 1 && in[1] != null ? in[1].getFloat() : a.real("min", -Float.MAX_VALUE);
            float hi = in.length > 2 && in[2] != null ? in[2].getFloat() : a.real("max", Float.MAX_VALUE);
            return one(in[0].clip(lo, hi));
        };
    }
}

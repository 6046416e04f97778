package io.facestream.trainer.graph;

import ai.djl.ndarray.types.Shape;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import java.util.Arrays;
import java.util.Random;

/**
 * The IR ("improved residual") ResNets of AdaFace (reference §2), written directly as an ONNX graph with freshly
 * initialised weights. Training then goes through the same route as any imported model (ONNX → {@link OnnxGraphBlock}
 * → {@link OnnxExport}), so a model trained from scratch is exportable by construction.
 *
 * @param name      model name, e.g. {@code ir18}
 * @param widths    output channels per stage (4 stages, each starting with a stride-2 unit)
 * @param units     units per stage
 * @param embedding embedding size
 * @param inputSize input side (112; the spatial size after the body is inputSize / 16)
 */
public record IrNet(String name, int[] widths, int[] units, int embedding, int inputSize) {

    public static final String INPUT = "input";
    public static final String OUTPUT = "embedding";

    public IrNet {
        if (widths.length != 4 || units.length != 4 || inputSize % 16 != 0) {
            throw new IllegalArgumentException(
                    "IR net needs 4 stage widths and unit counts and an input side divisible by 16, got "
                            + Arrays.toString(widths) + " " + Arrays.toString(units) + " " + inputSize);
        }
    }

    /** IR-18 of the paper: 64/128/256/512 channels, [2,2,2,2] units, 512-d, 24,020,352 backbone parameters. */
    public static IrNet ir18() {
        return new IrNet("ir18", new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2}, 512, 112);
    }

    /** IR-34 of the paper: [3,4,6,3] units. */
    public static IrNet ir34() {
        return new IrNet("ir34", new int[] {64, 128, 256, 512}, new int[] {3, 4, 6, 3}, 512, 112);
    }

    /** Looks a from-scratch architecture up by name ({@code ir18}, {@code ir34}); null when the name is not one. */
    public static IrNet named(String name) {
        return switch (name.toLowerCase().replace("-", "").replace("_", "")) {
            case "ir18" -> ir18();
            case "ir34" -> ir34();
            default -> null;
        };
    }

    /** The graph, NCHW input {@code [N,3,S,S]}, output the raw (pre-L2) BatchNorm1d feature {@code [N,D]}. */
    public ModelProto build(long seed) {
        Random rnd = new Random(seed);
        GraphWriter w = new GraphWriter(name);
        w.input(INPUT, -1, 3, inputSize, inputSize);
        String x = conv(w, rnd, INPUT, 3, widths[0], 3, 1, "input_layer.0");
        x = batchNorm(w, x, widths[0], "input_layer.1");
        x = prelu(w, x, widths[0], "input_layer.2");
        int in = widths[0];
        int body = 0;
        for (int s = 0; s < 4; s++) {
            for (int u = 0; u < units[s]; u++) {
                x = unit(w, rnd, x, in, widths[s], u == 0 ? 2 : 1, "body." + body++);
                in = widths[s];
            }
        }
        int side = inputSize / 16;
        x = batchNorm(w, x, in, "output_layer.0");
        String ratio = w.frozen("output_layer.1.ratio", new Shape(), new float[] {0.4f});
        x = w.node("Dropout", "output_layer.1", new String[] {x, ratio});
        x = w.node("Flatten", "output_layer.2", new String[] {x}, GraphWriter.integer("axis", 1));
        int flat = in * side * side;
        String weight = w.initializer(
                "output_layer.3.weight", new Shape(embedding, flat), kaiming(rnd, embedding * flat, embedding));
        String bias = w.initializer("output_layer.3.bias", new Shape(embedding), new float[embedding]);
        x = w.node("Gemm", "output_layer.3", new String[] {x, weight, bias}, GraphWriter.integer("transB", 1));
        // BatchNorm1d(affine=False): scale 1 and shift 0 are frozen, only the running statistics move.
        float[] ones = new float[embedding];
        Arrays.fill(ones, 1f);
        w.nodeTo(
                "BatchNormalization",
                "output_layer.4",
                OUTPUT,
                new String[] {
                    x,
                    w.frozen("output_layer.4.weight", new Shape(embedding), ones),
                    w.frozen("output_layer.4.bias", new Shape(embedding), new float[embedding]),
                    w.initializer("output_layer.4.running_mean", new Shape(embedding), new float[embedding]),
                    w.initializer("output_layer.4.running_var", new Shape(embedding), ones.clone())
                },
                GraphWriter.real("epsilon", 1e-5f),
                GraphWriter.real("momentum", 0.9f));
        w.output(OUTPUT, -1, embedding);
        return w.model("facestream-trainer");
    }

    private static String unit(GraphWriter w, Random rnd, String x, int in, int out, int stride, String name) {
        String r = batchNorm(w, x, in, name + ".res_layer.0");
        r = conv(w, rnd, r, in, out, 3, 1, name + ".res_layer.1");
        r = batchNorm(w, r, out, name + ".res_layer.2");
        r = prelu(w, r, out, name + ".res_layer.3");
        r = conv(w, rnd, r, out, out, 3, stride, name + ".res_layer.4");
        r = batchNorm(w, r, out, name + ".res_layer.5");
        String shortcut;
        if (in == out) {
            // MaxPool2d(kernel 1, stride s): identity for s = 1, pure subsampling for s = 2.
            shortcut = w.node(
                    "MaxPool",
                    name + ".shortcut_layer",
                    new String[] {x},
                    GraphWriter.ints("kernel_shape", 1, 1),
                    GraphWriter.ints("strides", stride, stride));
        } else {
            shortcut = conv(w, rnd, x, in, out, 1, stride, name + ".shortcut_layer.0");
            shortcut = batchNorm(w, shortcut, out, name + ".shortcut_layer.1");
        }
        return w.node("Add", name + ".add", new String[] {r, shortcut});
    }

    private static String conv(GraphWriter w, Random rnd, String x, int in, int out, int k, int stride, String name) {
        String weight =
                w.initializer(name + ".weight", new Shape(out, in, k, k), kaiming(rnd, out * in * k * k, out * k * k));
        int pad = k / 2;
        return w.node(
                "Conv",
                name,
                new String[] {x, weight},
                GraphWriter.ints("kernel_shape", k, k),
                GraphWriter.ints("strides", stride, stride),
                GraphWriter.ints("pads", pad, pad, pad, pad));
    }

    private static String batchNorm(GraphWriter w, String x, int c, String name) {
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        return w.node(
                "BatchNormalization",
                name,
                new String[] {
                    x,
                    w.initializer(name + ".weight", new Shape(c), ones),
                    w.initializer(name + ".bias", new Shape(c), new float[c]),
                    w.initializer(name + ".running_mean", new Shape(c), new float[c]),
                    w.initializer(name + ".running_var", new Shape(c), ones.clone())
                },
                GraphWriter.real("epsilon", 1e-5f),
                GraphWriter.real("momentum", 0.9f));
    }

    private static String prelu(GraphWriter w, String x, int c, String name) {
        float[] slope = new float[c];
        Arrays.fill(slope, 0.25f);
        return w.node("PRelu", name, new String[] {x, w.initializer(name + ".weight", new Shape(c, 1, 1), slope)});
    }

    /** Kaiming-normal, fan_out, ReLU gain (reference §2.1 init): N(0, 2 / fan_out). */
    private static float[] kaiming(Random rnd, int count, int fanOut) {
        double std = Math.sqrt(2.0 / fanOut);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return v;
    }
}

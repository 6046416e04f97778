package io.facestream.ops.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.ops.cli.CommandFailed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * This machine's practical compute peak, measured the way models run: a large square float32 MatMul through ONNX
 * Runtime (its MLAS GEMM is as close to the FMA units' limit as this stack gets). Measured exactly like the embedder
 * it is compared with: the same warm-up, then the median of the same number of timed runs (not a best-of, which
 * would flatter the denominator of every "% of peak").
 */
final class MatMulPeak implements AutoCloseable {
    static final int N = 1024;
    /** Multiply-adds of one run. */
    static final double MACS = (double) N * N * N;

    private final Path model;
    private final OrtSession session;
    private final OnnxTensor a;
    private final OnnxTensor b;

    /** An open MatMul session with the given intra-op threads on the CPU, inputs ready. */
    MatMulPeak(int threads) {
        this.model = writeModel();
        OrtSession s = null;
        OnnxTensor ta = null;
        try {
            s = new OnnxSessions(Device.CPU, threads).open(model);
            float[] values = new float[N * N];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) r.nextDouble(-1, 1);
            }
            ta = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(values), new long[] {N, N});
            this.b = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(values), new long[] {N, N});
            this.a = ta;
            this.session = s;
        } catch (OrtException | RuntimeException e) {
            if (ta != null) {
                ta.close();
            }
            closeQuietly(s);
            deleteQuietly(model);
            throw new CommandFailed("MatMul peak measurement failed: " + e.getMessage(), e);
        }
    }

    /**
     * Median seconds per run of {@code runs} timed runs after {@code warmup} untimed ones: by wall clock, and by the
     * calling thread's CPU time (meaningful with 1 thread, where ONNX Runtime computes on the caller; it discounts
     * time lost to other processes on a shared machine).
     */
    EmbedBenchCommand.Timing measure(int warmup, int runs) {
        return EmbedBenchCommand.time(warmup, runs, this::runOnce);
    }

    private void runOnce() {
        try {
            session.run(Map.of("a", a, "b", b)).close();
        } catch (OrtException e) {
            throw new CommandFailed("MatMul peak measurement failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
        closeQuietly(session);
        deleteQuietly(model);
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // closing a benchmark session cannot lose data
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    private static Path writeModel() {
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(1)
                        .setShape(Onnx.TensorShapeProto.newBuilder()
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimValue(N))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimValue(N))))
                .build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder()
                .setName("matmul")
                .addNode(Onnx.NodeProto.newBuilder()
                        .setOpType("MatMul")
                        .addInput("a")
                        .addInput("b")
                        .addOutput("c"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("a").setType(type))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("b").setType(type))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("c").setType(type))
                .build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("facestream-bench")
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
        try {
            Path p = Files.createTempFile("facestream-matmul", ".onnx");
            Files.write(p, m.toByteArray());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MatMul model", e);
        }
    }
}

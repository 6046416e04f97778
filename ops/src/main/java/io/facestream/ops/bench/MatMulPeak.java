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
 * Runtime (its MLAS GEMM is as close to the FMA units' limit as this stack gets).
 */
final class MatMulPeak {
    static final int N = 1024;

    private MatMulPeak() {}

    /**
     * Multiply-adds per second with the given intra-op threads, best of runs over about {@code seconds}: by wall
     * clock, and by the calling thread's CPU time (meaningful with 1 thread, where ONNX Runtime computes on the
     * caller; it discounts time lost to other processes on a shared machine).
     */
    record Peak(double wall, double cpu) {}

    static Peak macsPerSecond(int threads, double seconds) {
        Path model = writeModel();
        try (OrtSession session = new OnnxSessions(Device.CPU, threads).open(model)) {
            float[] a = new float[N * N];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextDouble(-1, 1);
            }
            try (OnnxTensor ta = OnnxTensor.createTensor(
                            OnnxSessions.environment(), FloatBuffer.wrap(a), new long[] {N, N});
                    OnnxTensor tb = OnnxTensor.createTensor(
                            OnnxSessions.environment(), FloatBuffer.wrap(a), new long[] {N, N})) {
                Map<String, OnnxTensor> in = Map.of("a", ta, "b", tb);
                for (int i = 0; i < 3; i++) {
                    session.run(in).close();
                }
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                double best = Double.MAX_VALUE;
                double bestCpu = Double.MAX_VALUE;
                long end = System.nanoTime() + (long) (seconds * 1e9);
                int runs = 0;
                while (runs < 5 || System.nanoTime() < end) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    session.run(in).close();
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                    bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
                    runs++;
                }
                double macs = (double) N * N * N;
                return new Peak(macs / best, macs / bestCpu);
            }
        } catch (OrtException e) {
            throw new CommandFailed("MatMul peak measurement failed: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(model);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
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

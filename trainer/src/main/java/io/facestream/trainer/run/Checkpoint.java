package io.facestream.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.facestream.core.json.Json;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.graph.OnnxGraphBlock;
import io.facestream.trainer.head.ClassCentres;
import io.facestream.trainer.head.NormStatistics;
import io.facestream.trainer.torch.Owned;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a run needs to continue exactly: backbone parameters and BatchNorm running statistics, class centres,
 * SGD momentum buffers, AdaFace's norm statistics, and the step. A directory with {@code state.json} and
 * {@code tensors.bin} (name, shape, float32 values), written to a temporary directory and moved into place so a crash
 * never leaves half a checkpoint.
 */
public record Checkpoint(State state, Map<String, Tensor> tensors) {
    static final String CENTRES = "head.kernel";
    private static final String MOMENTUM = "momentum:";

    /**
     * @param base           base model id (name@version) the run started from
     * @param head           head kind
     * @param step           steps completed
     * @param totalSteps     the run's length
     * @param seed           run seed
     * @param batchSize      images per step
     * @param classes        identities in the data set
     * @param normStatistics AdaFace's EMA of feature norms (μ, σ)
     * @param data           the data set it trained on
     */
    public record State(
            String base,
            String head,
            long step,
            long totalSteps,
            long seed,
            int batchSize,
            int classes,
            NormStatistics normStatistics,
            String data) {}

    public record Tensor(long[] shape, float[] values) {}

    public static Checkpoint capture(State state, TrainingSession session) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        session.block().state().forEach((name, p) -> t.put(name, tensor(p.getArray())));
        t.put(CENTRES, tensor(session.loss().centres().weight()));
        session.optimizer().momentumBuffers().forEach((name, buf) -> t.put(MOMENTUM + name, tensor(buf)));
        return new Checkpoint(state, t);
    }

    private static Tensor tensor(NDArray a) {
        return new Tensor(
                a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray());
    }

    public void write(Path dir) {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(tmp.resolve("state.json").toFile(), state);
            try (DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(tmp.resolve("tensors.bin")), 1 << 20))) {
                out.writeInt(tensors.size());
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().shape().length);
                    for (long d : e.getValue().shape()) {
                        out.writeLong(d);
                    }
                    float[] v = e.getValue().values();
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    out.writeInt(v.length);
                    out.write(b.array());
                }
            }
            if (Files.exists(dir)) {
                try (var old = Files.walk(dir)) {
                    for (Path p :
                            old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    public static Checkpoint read(Path dir) {
        Path stateFile = dir.resolve("state.json");
        if (!Files.isRegularFile(stateFile)) {
            throw new IllegalArgumentException("checkpoint " + dir + " has no state.json");
        }
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(dir.resolve("tensors.bin")), 1 << 20))) {
            State state = Json.mapper().readValue(stateFile.toFile(), State.class);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                byte[] raw = new byte[in.readInt() * 4];
                in.readFully(raw);
                float[] v = new float[raw.length / 4];
                ByteBuffer.wrap(raw)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(v);
                tensors.put(name, new Tensor(shape, v));
            }
            return new Checkpoint(state, tensors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir, e);
        }
    }

    /** Copies the checkpoint into a freshly imported block and class centres, after checking it belongs to this run. */
    void restore(OnnxGraphBlock block, ClassCentres centres, BaseModel base, FaceDataset data) {
        if (!state.base().equals(base.manifest().id())) {
            throw new IllegalArgumentException("checkpoint was trained from " + state.base() + ", not "
                    + base.manifest().id());
        }
        if (state.classes() != data.classes()) {
            throw new IllegalArgumentException(
                    "checkpoint has " + state.classes() + " classes, the data set " + data.classes());
        }
        for (Map.Entry<String, Parameter> e : block.state().entrySet()) {
            copy(e.getKey(), e.getValue().getArray());
        }
        copy(CENTRES, centres.weight());
    }

    void restoreMomentum(Sgd optimizer) {
        optimizer.momentumBuffers().forEach((name, buf) -> copy(MOMENTUM + name, buf));
    }

    private void copy(String name, NDArray target) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint lacks tensor '" + name + "'");
        }
        if (!new Shape(t.shape()).equals(target.getShape())) {
            throw new IllegalArgumentException(
                    "checkpoint tensor '" + name + "' is " + new Shape(t.shape()) + ", model has " + target.getShape());
        }
        try (NDArray v = Owned.copyOf(target.getManager(), t.values(), target.getShape())) {
            // outside a gradient collector, so in-place writes on trainable leaves are allowed
            io.facestream.trainer.numerics.Finite.assign(target, v);
        }
    }
}

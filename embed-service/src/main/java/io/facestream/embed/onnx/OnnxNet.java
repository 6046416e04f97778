package io.facestream.embed.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.facestream.embed.model.ModelException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One ONNX graph with a single float input: run it on a packed tensor and get every output as a float array. */
public final class OnnxNet implements AutoCloseable {
    private final String what;
    private final OrtSession session;
    private final String inputName;
    private final long[] inputShape;
    private final Map<String, long[]> outputShapes = new java.util.LinkedHashMap<>();

    /** A named output: its shape and values (row-major). */
    public record Output(String name, long[] shape, float[] values) {}

    public OnnxNet(String what, Path file, String inputName, OnnxSessions sessions) {
        this.what = what;
        this.session = sessions.open(file);
        try {
            this.inputName = inputName != null
                    ? inputName
                    : session.getInputNames().iterator().next();
            NodeInfo info = session.getInputInfo().get(this.inputName);
            if (info == null) {
                throw new ModelException(what + ": input '" + this.inputName + "' not in " + session.getInputNames());
            }
            this.inputShape = ((TensorInfo) info.getInfo()).getShape();
            for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo t) {
                    outputShapes.put(e.getKey(), t.getShape());
                }
            }
        } catch (OrtException e) {
            closeQuietly();
            throw new ModelException(what + ": cannot inspect " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** The declared input shape; dynamic axes are -1. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** Declared output shapes by name (dynamic axes -1), in graph order. */
    public Map<String, long[]> outputShapes() {
        return outputShapes;
    }

    private void closeQuietly() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // already failing with a better message
        }
    }

    public List<Output> run(float[] data, long[] shape) {
        try (OnnxTensor input = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(data), shape);
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            List<Output> out = new ArrayList<>();
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer fb = t.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                out.add(new Output(e.getKey(), t.getInfo().getShape(), values));
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException(
                    what + " failed on input " + java.util.Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    /** A caller-owned direct buffer an output is written into, with the shape the output will have. */
    public record Pinned(FloatBuffer buffer, long[] shape) {}

    /**
     * Runs on a direct, native-order input buffer and writes the named outputs straight into caller-owned direct
     * buffers (ONNX Runtime's pinned outputs). Unlike {@link #run(float[], long[])} nothing is copied on the way in
     * or out: that path copies a heap array into a direct buffer, then every output into a fresh heap buffer and
     * again into an array, which for MTCNN's pyramid on a 1080p frame is tens of megabytes per frame. Each buffer is
     * read from position 0 up to the size its shape implies.
     */
    public void run(FloatBuffer input, long[] shape, Map<String, Pinned> outputs) {
        List<OnnxTensor> opened = new ArrayList<>(outputs.size() + 1);
        try {
            OnnxTensor in = OnnxTensor.createTensor(OnnxSessions.environment(), window(input, shape), shape);
            opened.add(in);
            Map<String, OnnxTensor> pinned = new java.util.HashMap<>();
            for (Map.Entry<String, Pinned> e : outputs.entrySet()) {
                Pinned p = e.getValue();
                OnnxTensor t =
                        OnnxTensor.createTensor(OnnxSessions.environment(), window(p.buffer(), p.shape()), p.shape());
                opened.add(t);
                pinned.put(e.getKey(), t);
            }
            try (OrtSession.Result ignored = session.run(Map.of(inputName, in), pinned)) {
                // the outputs are in the caller's buffers
            }
        } catch (OrtException e) {
            throw new ModelException(
                    what + " failed on input " + java.util.Arrays.toString(shape) + ": " + e.getMessage(), e);
        } finally {
            opened.forEach(OnnxTensor::close);
        }
    }

    private FloatBuffer window(FloatBuffer buffer, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (!buffer.isDirect() || n > buffer.capacity()) {
            throw new IllegalArgumentException(what + ": a pinned buffer must be direct and hold " + n + " floats, got "
                    + (buffer.isDirect() ? buffer.capacity() : "a heap buffer"));
        }
        return buffer.duplicate().position(0).limit((int) n);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new ModelException("cannot close " + what, e);
        }
    }
}

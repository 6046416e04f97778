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

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new ModelException("cannot close " + what, e);
        }
    }
}

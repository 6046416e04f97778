package io.facestream.embed.model.convert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a serialised ONNX model once in ONNX Runtime (CPU, one thread) and returns every output as floats. */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(byte[] onnx) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            session = env.createSession(onnx, options);
        }
    }

    OrtSession session() {
        return session;
    }

    Map<String, float[]> run(String inputName, float[] input, long[] shape) throws OrtException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer fb = t.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                out.put(e.getKey(), values);
            }
        }
        return out;
    }

    long[] shapeOf(String output, String inputName, float[] input, long[] shape) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            return ((OnnxTensor) result.get(output).orElseThrow()).getInfo().getShape();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}

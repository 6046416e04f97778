package io.facestream.embed.model.convert.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float ONNX tensors ⇄ Java arrays: written as little-endian {@code raw_data}, read from {@code raw_data} or
 * {@code float_data}, whichever the file used. The one place for it: the TFLite converter, the CPU sessions' graph
 * rewrite and the trainer's graph import and export all go through here.
 */
public final class FloatTensors {
    private FloatTensors() {}

    /** A float32 tensor holding {@code values} in {@code raw_data}. */
    public static Onnx.TensorProto of(String name, long[] dims, float[] values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder()
                .setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(raw(values));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** {@code values} as a float32 tensor's {@code raw_data}: little-endian, 4 bytes each. */
    public static ByteString raw(float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return ByteString.copyFrom(raw.array());
    }

    /** A float32 tensor's values; another data type is refused with the tensor's name. */
    public static float[] read(Onnx.TensorProto t) {
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException(
                    "initializer '" + t.getName() + "' has ONNX data type " + t.getDataType() + ", expected FLOAT (1)");
        }
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }
}

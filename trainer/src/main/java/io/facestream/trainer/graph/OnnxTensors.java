package io.facestream.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import io.facestream.embed.model.convert.onnx.FloatTensors;
import io.facestream.embed.model.convert.onnx.Onnx.TensorProto;
import io.facestream.trainer.torch.Owned;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** ONNX initializers ⇄ Java arrays and NDArrays. ONNX stores tensors little-endian, in {@code raw_data} or typed fields. */
public final class OnnxTensors {
    private OnnxTensors() {}

    public static Shape shape(TensorProto t) {
        return new Shape(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }

    public static boolean isFloat(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
    }

    public static boolean isInteger(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.INT64_VALUE
                || t.getDataType() == TensorProto.DataType.INT32_VALUE;
    }

    public static float[] floats(TensorProto t) {
        return FloatTensors.read(t);
    }

    public static long[] longs(TensorProto t) {
        boolean int64 = t.getDataType() == TensorProto.DataType.INT64_VALUE;
        if (!isInteger(t)) {
            throw new IllegalArgumentException("initializer '" + t.getName() + "' has ONNX data type " + t.getDataType()
                    + ", expected INT64 or INT32");
        }
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] out = new long[b.remaining() / (int64 ? 8 : 4)];
            for (int i = 0; i < out.length; i++) {
                out[i] = int64 ? b.getLong() : b.getInt();
            }
            return out;
        }
        return int64
                ? t.getInt64DataList().stream().mapToLong(Long::longValue).toArray()
                : t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
    }

    /** The initializer as an NDArray (float32 or int64); other types are refused with the initializer's name. */
    public static NDArray toNd(NDManager manager, TensorProto t) {
        Shape shape = shape(t);
        if (isFloat(t)) {
            return Owned.copyOf(manager, floats(t), shape);
        }
        if (isInteger(t)) {
            return Owned.copyOf(manager, longs(t), shape);
        }
        throw new IllegalArgumentException(
                "initializer '" + t.getName() + "' has unsupported ONNX data type " + t.getDataType());
    }

    /** The name of the first float initializer holding a NaN or an infinity; null when every weight is finite. */
    public static String firstNonFinite(io.facestream.embed.model.convert.onnx.Onnx.ModelProto model) {
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (isFloat(t)) {
                for (float v : floats(t)) {
                    if (!Float.isFinite(v)) {
                        return t.getName();
                    }
                }
            }
        }
        return null;
    }

    public static TensorProto floatTensor(String name, Shape shape, float[] values) {
        return FloatTensors.of(name, shape.getShape(), values);
    }

    public static TensorProto longTensor(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length)
                .setRawData(ByteString.copyFrom(b.array()))
                .build();
    }

    /** The same initializer (name, type, dims, doc) with new float values. */
    public static TensorProto withValues(TensorProto original, float[] values) {
        long expected = shape(original).size();
        if (values.length != expected) {
            throw new IllegalArgumentException(
                    "initializer '" + original.getName() + "' holds " + expected + " values, got " + values.length);
        }
        return original.toBuilder()
                .clearFloatData()
                .setRawData(FloatTensors.raw(values))
                .build();
    }
}

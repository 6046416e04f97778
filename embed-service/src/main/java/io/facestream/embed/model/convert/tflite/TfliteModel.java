package io.facestream.embed.model.convert.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The one subgraph of a TFLite model, as the converter needs it: tensors (with their constant data, if any),
 * operators in execution order, and the graph's input and output tensor indices.
 */
public record TfliteModel(
        int schemaVersion,
        String description,
        List<Tensor> tensors,
        List<Operator> operators,
        int[] inputs,
        int[] outputs) {

    public Tensor tensor(int index) {
        return tensors.get(index);
    }

    /** TFLite tensor element types (schema {@code TensorType}), in code order. */
    public enum TensorType {
        FLOAT32,
        FLOAT16,
        INT32,
        UINT8,
        INT64,
        STRING,
        BOOL,
        INT16,
        COMPLEX64,
        INT8,
        FLOAT64;

        static TensorType of(int code) {
            TensorType[] all = values();
            if (code < 0 || code >= all.length) {
                throw new IllegalArgumentException("unknown TFLite tensor type code " + code);
            }
            return all[code];
        }
    }

    /**
     * @param data      constant contents (little-endian), or null for an activation computed at run time
     * @param quantized true when the tensor carries quantisation scales (int8 models; not supported)
     */
    public record Tensor(int index, String name, int[] shape, TensorType type, ByteBuffer data, boolean quantized) {
        public boolean isConstant() {
            return data != null;
        }

        public int rank() {
            return shape.length;
        }

        public long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        /** Constant float32 contents. */
        public float[] floats() {
            if (data == null || type != TensorType.FLOAT32) {
                throw new IllegalStateException("tensor '" + name + "' is not a float32 constant (" + type + ")");
            }
            float[] out = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        /** Constant int32 (or int64) contents, e.g. axes and shapes. */
        public long[] longs() {
            if (data == null || (type != TensorType.INT32 && type != TensorType.INT64)) {
                throw new IllegalStateException("tensor '" + name + "' is not an integer constant (" + type + ")");
            }
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            long[] out = new long[b.remaining() / (type == TensorType.INT32 ? 4 : 8)];
            for (int i = 0; i < out.length; i++) {
                out[i] = type == TensorType.INT32 ? b.getInt() : b.getLong();
            }
            return out;
        }

        @Override
        public String toString() {
            return "'" + name + "' " + Arrays.toString(shape) + " " + type;
        }
    }

    /**
     * @param op      the builtin operator, or null when the code is newer than {@link BuiltinOperator}
     * @param code    the raw builtin code (kept for error messages)
     * @param custom  the custom op name for {@code CUSTOM}, else null
     * @param inputs  input tensor indices (-1 = optional input left out, e.g. a missing bias)
     * @param options the op's builtin options table, or null
     */
    public record Operator(
            int index,
            BuiltinOperator op,
            int code,
            String custom,
            int version,
            int[] inputs,
            int[] outputs,
            FlatTable options) {
        public String opName() {
            if (op == BuiltinOperator.CUSTOM) {
                return "CUSTOM(" + custom + ")";
            }
            return op == null ? "builtin op #" + code : op.name();
        }

        public int input(int i) {
            return i < inputs.length ? inputs[i] : -1;
        }

        public int output() {
            return outputs[0];
        }
    }
}

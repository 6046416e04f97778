package io.facestream.embed.model.convert.lower;

/** Offline weight re-layouts: done once at conversion, so the converted graph pays nothing at run time. */
final class Tensors {
    private Tensors() {}

    /** Transposes a row-major tensor: output axis i is input axis {@code perm[i]}. */
    static float[] permute(float[] data, int[] shape, int[] perm) {
        int rank = shape.length;
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
        }
        int[] inStrides = strides(shape);
        // stride in the input for each output axis
        int[] step = new int[rank];
        for (int i = 0; i < rank; i++) {
            step[i] = inStrides[perm[i]];
        }
        float[] out = new float[data.length];
        int[] index = new int[rank];
        int src = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = data[src];
            for (int axis = rank - 1; axis >= 0; axis--) {
                index[axis]++;
                src += step[axis];
                if (index[axis] < outShape[axis]) {
                    break;
                }
                src -= step[axis] * index[axis];
                index[axis] = 0;
            }
        }
        return out;
    }

    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            if (d < 0) {
                return -1;
            }
            p *= d;
        }
        return p;
    }
}

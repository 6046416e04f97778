package io.facestream.trainer.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.Map;

/**
 * The trainer's checks and writes that must hold whatever the arrays contain. Two rules: a NaN or Inf is found and
 * named where it first appears (an array's sum is non-finite when any element is, so one reduction per array and
 * one read-back cover a whole model), and arrays are cleared by assignment, never by arithmetic on themselves
 * ({@code g − g} and {@code g · 0} keep a NaN a NaN, so one bad step would poison every later one).
 */
public final class Finite {
    private Finite() {}

    /** Sets every element to exactly 0 in place (the array keeps its storage, so autograd's {@code .grad} stays attached). */
    public static void zero(NDArray array) {
        array.set(new NDIndex("..."), 0f);
    }

    /** Copies {@code source} into {@code target} in place, element for element (same shape). */
    public static void assign(NDArray target, NDArray source) {
        target.set(new NDIndex("..."), source);
    }

    /** The name of the first array holding a NaN or an infinity, in map order; null when all are finite. */
    public static String firstNonFinite(Map<String, NDArray> arrays) {
        if (arrays.isEmpty()) {
            return null;
        }
        try (NDScope scope = new NDScope()) {
            NDList sums = new NDList(arrays.size());
            for (NDArray a : arrays.values()) {
                sums.add(a.sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false));
            }
            double[] s = NDArrays.stack(sums).toDoubleArray();
            int i = 0;
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                // a finite array whose sum overflows float64 is not a defect: confirm element-wise before naming it
                if (!Double.isFinite(s[i++]) && hasNonFinite(e.getValue())) {
                    return e.getKey();
                }
            }
            return null;
        }
    }

    private static boolean hasNonFinite(NDArray a) {
        return a.isNaN().logicalOr(a.isInfinite()).any().getBoolean();
    }
}

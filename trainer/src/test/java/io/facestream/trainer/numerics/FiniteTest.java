package io.facestream.trainer.numerics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.facestream.trainer.testing.WithTorchManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiniteTest extends WithTorchManager {
    /** Why the optimiser does not zero a gradient with g − g: a NaN survives it, and then poisons every later step. */
    @Test
    void zeroClearsNaNAndInfWhereSelfSubtractionDoesNot() {
        float[] poisoned = {1f, Float.NaN, Float.POSITIVE_INFINITY, -2f};
        NDArray bySubtraction = manager.create(poisoned);
        bySubtraction.subi(bySubtraction);
        assertTrue(
                Float.isNaN(bySubtraction.toFloatArray()[1])
                        && Float.isNaN(bySubtraction.toFloatArray()[2]),
                "g - g keeps NaN and turns Inf into NaN");

        NDArray zeroed = manager.create(poisoned);
        Finite.zero(zeroed);
        assertArrayEquals(new float[4], zeroed.toFloatArray());
    }

    @Test
    void assignCopiesExactlyInPlace() {
        NDArray target = manager.create(new float[] {Float.NaN, 5f, 6f});
        NDArray same = target;
        Finite.assign(target, manager.create(new float[] {1.5f, -0f, 3e-40f}));
        assertArrayEquals(new float[] {1.5f, -0f, 3e-40f}, same.toFloatArray());
    }

    @Test
    void firstNonFiniteNamesTheArrayAndIgnoresAFiniteSumOverflow() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        arrays.put("huge-but-finite", manager.create(new float[] {3e38f, 3e38f, 3e38f}));
        arrays.put("fine", manager.create(new float[] {1, 2, 3}));
        assertNull(Finite.firstNonFinite(arrays), "a float32 sum overflowing to Inf is not a non-finite element");
        arrays.put("inf", manager.create(new float[] {1, Float.NEGATIVE_INFINITY}));
        arrays.put("nan", manager.create(new float[] {Float.NaN}));
        assertEquals("inf", Finite.firstNonFinite(arrays));
        arrays.remove("inf");
        assertEquals("nan", Finite.firstNonFinite(arrays));
    }
}

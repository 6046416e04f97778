package io.facestream.core.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorsTest {

    @Test
    void normIsTheEuclideanLength() {
        assertEquals(5.0, Vectors.norm(new float[] {3, 4}), 0);
        assertEquals(5.0, Vectors.norm(new float[] {-3, 0, -4}), 0);
        assertEquals(0.0, Vectors.norm(new float[0]), 0);
        assertEquals(0.0, Vectors.norm(new float[3]), 0);
        assertEquals(13.0, Vectors.norm(new double[] {5, 12}), 0);
    }

    @Test
    void productsAndSumsAreTakenInDouble() {
        // 1e20² overflows float32 but not double
        assertEquals(1e20f * (double) 1e20f, Vectors.dot(new float[] {1e20f}, new float[] {1e20f}), 0);
        assertEquals(Math.sqrt(2) * 1e20f, Vectors.norm(new float[] {1e20f, 1e20f}), 1e6);
        // 0.1f · 0.1f rounds in float32; the double product of the two float32 values is exact
        assertEquals((double) 0.1f * 0.1f, Vectors.dot(new float[] {0.1f}, new float[] {0.1f}), 0);
        assertTrue((double) 0.1f * 0.1f != (double) (0.1f * 0.1f));
        // a small value is not lost next to a large one, as it is in a float32 sum
        // (float32 values are 8 apart at 1e8, so a float32 sum would stay at 1e8)
        assertEquals(1e8 + 4, Vectors.dot(new float[] {1e8f, 1, 1, 1, 1}, new float[] {1, 1, 1, 1, 1}), 0);
    }

    @Test
    void dotOfRowsInFlatMatrices() {
        float[] a = {9, 1, 2, 3, 9};
        float[] b = {4, 5, 6};
        assertEquals(32, Vectors.dot(a, 1, b, 0, 3), 0);
        assertEquals(0, Vectors.dot(a, 5, b, 3, 0), 0);
        assertThrows(IndexOutOfBoundsException.class, () -> Vectors.dot(a, 3, b, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Vectors.dot(a, 0, b, 1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Vectors.dot(a, -1, b, 0, 1));
    }

    @Test
    void differentLengthsAreRefusedNamingBoth() {
        float[] two = {1, 2};
        float[] three = {1, 2, 3};
        for (Runnable r : new Runnable[] {
            () -> Vectors.dot(two, three), () -> Vectors.cosine(two, three), () -> Vectors.cosine(three, two)
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(
                    e.getMessage().contains("different lengths")
                            && e.getMessage().contains("2")
                            && e.getMessage().contains("3"),
                    e.getMessage());
        }
    }

    @Test
    void cosineIgnoresScale() {
        assertEquals(1.0, Vectors.cosine(new float[] {1, 2, 3}, new float[] {10, 20, 30}), 1e-15);
        assertEquals(-1.0, Vectors.cosine(new float[] {1, 2}, new float[] {-3, -6}), 1e-15);
        assertEquals(0.0, Vectors.cosine(new float[] {1, 0}, new float[] {0, 5}), 0);
        assertEquals(0.6, Vectors.cosine(new float[] {30, 0}, new float[] {3, 4}), 1e-15);
    }

    @Test
    void aZeroVectorHasNoCosine() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Vectors.cosine(new float[] {1, 2}, new float[2]));
        assertTrue(e.getMessage().contains("zero vector"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vectors.cosine(new float[2], new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Vectors.cosine(new float[0], new float[0]));
    }

    @Test
    void nanAndInfinityPropagateThroughNormDotAndCosine() {
        float[] nan = {1, Float.NaN};
        assertTrue(Double.isNaN(Vectors.norm(nan)));
        assertTrue(Double.isNaN(Vectors.dot(nan, new float[] {1, 1})));
        assertTrue(Double.isNaN(Vectors.cosine(nan, new float[] {1, 1})));
        assertEquals(Double.POSITIVE_INFINITY, Vectors.norm(new float[] {Float.POSITIVE_INFINITY, 1}));
        assertEquals(1, Vectors.firstNonFinite(nan));
        assertEquals(0, Vectors.firstNonFinite(new float[] {Float.NEGATIVE_INFINITY, Float.NaN}));
        assertEquals(-1, Vectors.firstNonFinite(new float[] {Float.MAX_VALUE, -0f, Float.MIN_VALUE}));
        assertEquals(-1, Vectors.firstNonFinite(new float[0]));
    }

    @Test
    void unitIsANewVectorOfLengthOne() {
        float[] v = {3, 4};
        float[] u = Vectors.unit(v);
        assertArrayEquals(new float[] {0.6f, 0.8f}, u);
        assertArrayEquals(new float[] {3, 4}, v, "the input is unchanged");
        assertNotSame(v, u);
        float[] big = new float[512];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i) * 37;
        }
        assertEquals(1.0, Vectors.norm(Vectors.unit(big)), 1e-6);
        // each component is the double quotient rounded once to float32
        assertEquals((float) (big[7] / Vectors.norm(big)), Vectors.unit(big)[7]);
    }

    @Test
    void unitRefusesAZeroOrNonFiniteVector() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> Vectors.unit(new float[3]));
        assertTrue(zero.getMessage().contains("3-d vector of length 0.0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vectors.unit(new float[0]));
        IllegalArgumentException nan =
                assertThrows(IllegalArgumentException.class, () -> Vectors.unit(new float[] {Float.NaN, 1}));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vectors.unit(new float[] {Float.POSITIVE_INFINITY, 1}));
    }

    @Test
    void unitOrZeroKeepsAZeroVectorZero() {
        float[] zero = new float[4];
        float[] u = Vectors.unitOrZero(zero);
        assertArrayEquals(new float[4], u);
        assertNotSame(zero, u);
        float[] v = {0, 5};
        assertArrayEquals(new float[] {0, 1}, Vectors.unitOrZero(v));
        assertArrayEquals(new float[] {0, 5}, v, "the input is unchanged");
        assertTrue(Float.isNaN(Vectors.unitOrZero(new float[] {Float.NaN, 1})[1]), "NaN in, NaN out");
    }

    @Test
    void normalizeInPlaceScalesTheGivenArray() {
        float[] v = {0, -2, 0};
        assertSame(v, Vectors.normalizeInPlace(v));
        assertArrayEquals(new float[] {0, -1, 0}, v);
        float[] zero = new float[2];
        assertSame(zero, Vectors.normalizeInPlace(zero));
        assertArrayEquals(new float[2], zero);
        assertArrayEquals(Vectors.unit(new float[] {1, 2, 3}), Vectors.normalizeInPlace(new float[] {1, 2, 3}));
    }

    @Test
    void isZeroAndToFloat() {
        assertTrue(Vectors.isZero(new float[3]));
        assertTrue(Vectors.isZero(new float[] {-0f, 0f}));
        assertTrue(Vectors.isZero(new float[0]));
        assertFalse(Vectors.isZero(new float[] {0, Float.MIN_VALUE}));
        assertFalse(Vectors.isZero(new float[] {Float.NaN}));
        assertArrayEquals(
                new float[] {0.1f, -2, Float.POSITIVE_INFINITY}, Vectors.toFloat(new double[] {0.1, -2, 1e300}));
    }
}

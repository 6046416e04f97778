package io.facestream.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The only way trainer code turns Java values into arrays: every array it makes owns its memory in PyTorch.
 *
 * <p>Why: DJL's {@code NDManager.create(float[] …)} wraps a direct {@code ByteBuffer} with {@code torch::from_blob},
 * so the tensor borrows Java memory that the garbage collector frees once the Java array object is gone; and the
 * number overloads ({@code x.mul(3f)}, {@code x.maximum(0)}, …) build such a borrowed scalar and close it right after
 * the call. Autograd keeps that scalar for the backward pass ({@code mul} needs the factor, {@code maximum} the other
 * operand), so when a collection ran in between, the backward read freed memory: gradients from some layer down to
 * the input turned to garbage or NaN, in whichever step a collection happened to fall — more often with a busy data
 * loader, hence "thread-dependent" (docs/trainer.md, "Numerics"). A test scans the trainer's classes so no call of
 * the borrowing kind comes back.
 */
public final class Owned {
    private Owned() {}

    /** A float32 scalar in PyTorch's memory ({@code torch.full}), for use as an operand. */
    public static NDArray scalar(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    /** A scalar of {@code like}'s manager and type (a float64 array keeps the full double value). */
    public static NDArray scalar(NDArray like, double value) {
        if (like.getDataType() == DataType.FLOAT64) {
            try (NDArray borrowed = like.getManager().create(value)) {
                return borrowed.duplicate();
            }
        }
        return scalar(like.getManager(), value);
    }

    public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    public static NDArray copyOf(NDManager manager, long[] data, Shape shape) {
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    public static NDArray copyOf(NDManager manager, long[] data) {
        return copyOf(manager, data, new Shape(data.length));
    }
}

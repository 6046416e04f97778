package io.facestream.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.facestream.trainer.numerics.Finite;
import io.facestream.trainer.torch.Owned;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum and two parameter groups, with PyTorch's update rule (reference §4.3):
 * {@code g ← grad + wd·w; buf ← μ·buf + g; w ← w − lr·scale·buf}, where each array has its own learning-rate scale
 * (the backbone may move slower than the head). The gradient is zeroed after each step because DJL's
 * PyTorch collector accumulates; zeroed by assignment ({@link Finite#zero}), since {@code g − g} would keep a NaN
 * of one step in every later one.
 */
public final class Sgd {
    /** A trained array, whether it is weight-decayed, its learning-rate scale and its momentum buffer. */
    private record Slot(NDArray weight, boolean decayed, double lrScale, NDArray momentum) {}

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final double momentum;
    private final double weightDecay;

    public Sgd(double momentum, double weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public void add(String name, NDArray weight, boolean decayed) {
        add(name, weight, decayed, 1);
    }

    /** @param lrScale multiplies the step's learning rate for this array (0 freezes it) */
    public void add(String name, NDArray weight, boolean decayed, double lrScale) {
        NDArray buffer = weight.zerosLike();
        NDScope.unregister(buffer);
        slots.put(name, new Slot(weight, decayed, lrScale, buffer));
    }

    public void step(double lr) {
        for (Slot s : slots.values()) {
            NDArray grad = s.weight().getGradient();
            NDArray g =
                    s.decayed() && weightDecay > 0 ? grad.add(s.weight().mul(Owned.scalar(grad, weightDecay))) : grad;
            s.momentum().muli(Owned.scalar(grad, momentum)).addi(g);
            s.weight().subi(s.momentum().mul(Owned.scalar(grad, lr * s.lrScale())));
            Finite.zero(grad);
        }
    }

    /** The current gradient of every trained array, by name (call inside an {@link NDScope}: the handles are new). */
    public Map<String, NDArray> gradients() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        slots.forEach((k, v) -> out.put(k, v.weight().getGradient()));
        return out;
    }

    /** Every trained array, by name. */
    public Map<String, NDArray> weights() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        slots.forEach((k, v) -> out.put(k, v.weight()));
        return out;
    }

    /** Momentum buffers by parameter name (checkpointed so a resumed run continues the same trajectory). */
    public Map<String, NDArray> momentumBuffers() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        slots.forEach((k, v) -> out.put(k, v.momentum()));
        return out;
    }
}

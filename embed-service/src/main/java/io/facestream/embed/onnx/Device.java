package io.facestream.embed.onnx;

import java.util.Locale;

/**
 * Where a model runs: {@code cpu}, or {@code cuda} / {@code cuda:N} for GPU N.
 *
 * @param index GPU ordinal (0 for cpu)
 */
public record Device(Type type, int index) {
    public enum Type {
        CPU,
        CUDA
    }

    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    public static Device parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return new Device(Type.CUDA, 0);
        }
        if (t.startsWith("cuda:")) {
            try {
                return new Device(Type.CUDA, Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("device '" + text + "' is not cpu, cuda or cuda:N");
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}

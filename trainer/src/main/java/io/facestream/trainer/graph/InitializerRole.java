package io.facestream.trainer.graph;

/**
 * What an ONNX initializer is to training, decided by where it is consumed. Trainable roles become DJL parameters;
 * running statistics are non-trainable parameters that BatchNormalization updates in training mode.
 */
public enum InitializerRole {
    WEIGHT(true, true),
    BIAS(true, true),
    /** BatchNormalization scale/bias: trained, but never weight-decayed (reference §4.3 group 2). */
    NORM_SCALE(true, false),
    NORM_BIAS(true, false),
    RUNNING_MEAN(false, false),
    RUNNING_VAR(false, false),
    /** Shapes, fixed constants, and initializers marked frozen. */
    CONSTANT(false, false);

    /** doc_string that pins an initializer as constant (e.g. BatchNorm1d with affine=False exported with ones/zeros). */
    public static final String FROZEN = "facestream:frozen";

    private final boolean trainable;
    private final boolean decayed;

    InitializerRole(boolean trainable, boolean decayed) {
        this.trainable = trainable;
        this.decayed = decayed;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Whether SGD applies weight decay to it (convs, linear layers, PReLU slopes: yes; BatchNorm: no). */
    public boolean decayed() {
        return decayed;
    }

    public boolean stateful() {
        return this != CONSTANT;
    }

    /** The role of input {@code index} of a node of type {@code opType} when that input is an initializer. */
    static InitializerRole of(String opType, int index) {
        return switch (opType) {
            case "Conv", "Gemm" -> index == 1 ? WEIGHT : index == 2 ? BIAS : CONSTANT;
            case "MatMul" -> index == 1 ? WEIGHT : CONSTANT;
            case "PRelu" -> index == 1 ? WEIGHT : CONSTANT;
            case "BatchNormalization" ->
                switch (index) {
                    case 1 -> NORM_SCALE;
                    case 2 -> NORM_BIAS;
                    case 3 -> RUNNING_MEAN;
                    case 4 -> RUNNING_VAR;
                    default -> CONSTANT;
                };
            default -> CONSTANT;
        };
    }
}

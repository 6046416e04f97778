package io.facestream.embed.model.convert.lower;

import io.facestream.embed.model.convert.tflite.BuiltinOperator;
import io.facestream.embed.model.convert.tflite.TfliteModel;
import java.util.List;
import java.util.Set;

/** Turns one TFLite operator into ONNX nodes. One implementation per op family. */
public sealed interface OpLowering
        permits ConvLowering, PoolLowering, DenseLowering, ElementwiseLowering, ReduceLowering, ResampleLowering {

    Set<BuiltinOperator> operators();

    void lower(TfliteModel.Operator op, LoweringContext ctx);

    /** Every family, in no particular order; an op appears in exactly one. */
    static List<OpLowering> all() {
        return List.of(
                new ConvLowering(),
                new PoolLowering(),
                new DenseLowering(),
                new ElementwiseLowering(),
                new ReduceLowering(),
                new ResampleLowering());
    }
}

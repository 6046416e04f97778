package io.facestream.trainer.cycle;

import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.gate.GatePolicy;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.run.Budget;
import io.facestream.trainer.run.Hyperparameters;
import java.nio.file.Path;

/**
 * Everything one trainer cycle needs.
 *
 * @param model       model name; the released version (facestream.models) is the base and the gate's reference
 * @param imageFolder labelled identities besides the feedback (one sub-folder per identity), or null
 * @param heldOut     aligned faces of identities never trained on: the gate's verification set
 * @param protocol    an IJB-S-format data set for the gate (synthetic or real), or null
 * @param work        state, exported feedback, checkpoints
 */
public record TrainerSettings(
        String model,
        Path imageFolder,
        Path heldOut,
        Path protocol,
        Path work,
        int minNewSamples,
        HeadKind head,
        Budget budget,
        Hyperparameters hyper,
        Augmentation augmentation,
        String device,
        GatePolicy gate) {}

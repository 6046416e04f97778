package io.facestream.trainer.cycle;

import io.facestream.core.events.ModelRelease;
import io.facestream.trainer.gate.GateVerdict;

/** What one wake-up of the periodic trainer did. */
public sealed interface CycleOutcome {
    /** Not enough new labelled data. */
    record Waiting(long samples, long newSamples, int needed) implements CycleOutcome {}

    /** A candidate was trained but the gate refused it; it stays installed, unreleased. */
    record Refused(String candidate, GateVerdict verdict) implements CycleOutcome {}

    /** The candidate passed the gate and was released. */
    record Released(ModelRelease release, GateVerdict verdict) implements CycleOutcome {}
}

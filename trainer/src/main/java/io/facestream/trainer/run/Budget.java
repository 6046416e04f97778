package io.facestream.trainer.run;

/** How long to train: whole epochs or a number of optimiser steps. */
public sealed interface Budget {
    /** Total steps for a data set with {@code stepsPerEpoch} steps per epoch. */
    long steps(int stepsPerEpoch);

    record Epochs(int epochs) implements Budget {
        public Epochs {
            if (epochs <= 0) {
                throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
            }
        }

        @Override
        public long steps(int stepsPerEpoch) {
            return (long) epochs * stepsPerEpoch;
        }
    }

    record Steps(long steps) implements Budget {
        public Steps {
            if (steps <= 0) {
                throw new IllegalArgumentException("--steps must be positive, got " + steps);
            }
        }

        @Override
        public long steps(int stepsPerEpoch) {
            return steps;
        }
    }
}

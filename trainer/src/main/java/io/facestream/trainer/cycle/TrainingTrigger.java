package io.facestream.trainer.cycle;

import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether enough new labelled data has arrived since the last fine-tune. The labelled-sample count at the last run
 * is kept in {@code <work>/trigger.json}, so a restarted trainer neither retrains on the same data nor forgets
 * what it has seen. A refused candidate also counts as a run: the next attempt waits for new data.
 */
public record TrainingTrigger(long samplesAtLastRun, int minNewSamples) {

    public TrainingTrigger {
        if (minNewSamples < 1) {
            throw new IllegalArgumentException("--min-new-samples must be >= 1, got " + minNewSamples);
        }
    }

    record State(long samplesAtLastRun) {}

    public static TrainingTrigger load(Path work, int minNewSamples) {
        Path file = work.resolve("trigger.json");
        if (!Files.isRegularFile(file)) {
            return new TrainingTrigger(0, minNewSamples);
        }
        try {
            return new TrainingTrigger(
                    Json.mapper().readValue(file.toFile(), State.class).samplesAtLastRun(), minNewSamples);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the trainer's state " + file + " (delete it to start counting afresh)", e);
        }
    }

    public long newSamples(long samplesNow) {
        // fewer samples than last time (feedback withdrawn, folder pruned): nothing is new
        return Math.max(0, samplesNow - samplesAtLastRun);
    }

    public boolean due(long samplesNow) {
        return newSamples(samplesNow) >= minNewSamples;
    }

    public TrainingTrigger ranAt(long samplesNow, Path work) {
        try {
            Files.createDirectories(work);
            Json.mapper().writeValue(work.resolve("trigger.json").toFile(), new State(samplesNow));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trainer's state into " + work, e);
        }
        return new TrainingTrigger(samplesNow, minNewSamples);
    }
}

package io.facestream.trainer.run;

import io.facestream.embed.model.ModelStore;
import java.nio.file.Path;

/**
 * @param candidate  the fine-tuned model, installed in the store as a new version (not released: a gate decides)
 * @param metrics    what the run measured
 * @param checkpoint the final checkpoint (resume from it to train further)
 */
public record FineTuneResult(ModelStore.InstalledModel candidate, TrainingMetrics metrics, Path checkpoint) {}

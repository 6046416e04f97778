package io.facestream.trainer.run;

import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.head.HeadKind;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One fine-tuning run, as the CLI (and later the periodic trainer service) asks for it.
 *
 * @param data         RecordIO folder or image folder
 * @param baseModel    base model spec (see {@link BaseModel#resolve})
 * @param head         margin head
 * @param budget       epochs or steps
 * @param hyper        optimiser and loader settings
 * @param augmentation augmentation probabilities ({@link Augmentation#PAPER} by default)
 * @param device       cpu or cuda[:N]
 * @param workDir      where checkpoints and the exported ONNX go
 * @param resume       checkpoint directory to continue from, or null
 */
public record FineTuneRequest(
        Path data,
        String baseModel,
        HeadKind head,
        Budget budget,
        Hyperparameters hyper,
        Augmentation augmentation,
        String device,
        Path workDir,
        Path resume) {
    public FineTuneRequest {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(hyper, "hyper");
        Objects.requireNonNull(workDir, "workDir");
        augmentation = augmentation == null ? Augmentation.PAPER : augmentation;
        device = device == null ? "cpu" : device;
    }
}

package io.facestream.ops.train;

import io.facestream.core.config.FacestreamPaths;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.head.CentreInit;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.run.Budget;
import io.facestream.trainer.run.FineTune;
import io.facestream.trainer.run.FineTuneRequest;
import io.facestream.trainer.run.FineTuneResult;
import io.facestream.trainer.run.Hyperparameters;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream train}: fine-tune an embedder and install the result as a new model version. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Fine-tune an ONNX embedding model with an AdaFace/ArcFace/CosFace head; installs the result as a new version.")
public final class TrainCommand implements Runnable {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "RecordIO folder (train.rec, train.idx) or image folder (one sub-folder per identity)")
    Path data;

    @Option(
            names = "--base-model",
            required = true,
            paramLabel = "NAME",
            description =
                    "installed model (name or name@version), zoo model (mobilefacenet), or ir18/ir34 from scratch")
    String baseModel;

    @Option(
            names = "--head",
            defaultValue = "adaface",
            description = "adaface, arcface or cosface (default: ${DEFAULT-VALUE})")
    String head;

    static final class Length {
        @Option(names = "--epochs", paramLabel = "N", description = "train N epochs")
        Integer epochs;

        @Option(names = "--steps", paramLabel = "N", description = "train N optimiser steps")
        Long steps;
    }

    @ArgGroup(exclusive = true)
    Length length;

    @Option(names = "--batch", defaultValue = "64", description = "images per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--lr",
            defaultValue = "0.01",
            description = "initial learning rate, ×0.1 at 12/26, 20/26, 24/26 of the run (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda[:N] (default: ${DEFAULT-VALUE})")
    String device;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "checkpoints and exported ONNX (default: ~/.facestream/train/<model>-<time>)")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "seed for class centres, data order, augmentation, dropout (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--resume",
            paramLabel = "CKPT",
            description = "checkpoint directory to continue from (…/checkpoints/step-NNNNNNNN)")
    Path resume;

    @Option(
            names = "--centres",
            paramLabel = "INIT",
            description =
                    "class-centre start: prototypes (per-class mean embedding under the base model) or random (default: prototypes for a pretrained base model, random for ir18/ir34 from scratch)")
    String centres;

    @Option(
            names = "--backbone-lr-scale",
            defaultValue = "1",
            paramLabel = "X",
            description =
                    "backbone learning rate = X × --lr (the head keeps --lr; e.g. 0.1 to let a pretrained backbone move less) (default: ${DEFAULT-VALUE})")
    double backboneLrScale;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "PyTorch intra-op threads (default: one per core); same seed and thread count, same weights")
    Integer threads;

    @Option(names = "--no-augment", description = "turn AdaFace's crop/low-res/photometric/flip augmentations off")
    boolean noAugment;

    @Override
    public void run() {
        ModelStore store = ModelZoo.store(options.load());
        if (threads != null) {
            io.facestream.trainer.torch.TorchRuntime.intraOpThreads(threads);
        }
        Budget budget = length == null || (length.epochs == null && length.steps == null)
                ? new Budget.Epochs(1)
                : length.steps != null ? new Budget.Steps(length.steps) : new Budget.Epochs(length.epochs);
        Hyperparameters hyper = Hyperparameters.defaults()
                .withBatch(batch)
                .withLearningRate(lr)
                .withSeed(seed)
                .withCentres(centres == null ? null : CentreInit.parse(centres))
                .withBackboneLrScale(backboneLrScale);
        Path work = out != null
                ? out
                : FacestreamPaths.of(options.load())
                        .cache("train")
                        .resolve(baseModel.replace('@', '-') + "-"
                                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        FineTuneRequest request = new FineTuneRequest(
                data,
                baseModel,
                HeadKind.parse(head),
                budget,
                hyper,
                noAugment ? Augmentation.NONE : Augmentation.PAPER,
                device,
                work,
                resume);
        FineTuneResult result = new FineTune(store, System.out::println).run(request);
        System.out.println("candidate " + result.candidate().manifest().id() + " at "
                + result.candidate().dir() + "; checkpoint " + result.checkpoint());
    }
}

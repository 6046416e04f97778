package io.facestream.ops.bench;

import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.data.FaceImage;
import io.facestream.trainer.data.ImageCodec;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.run.BaseModel;
import io.facestream.trainer.run.Budget;
import io.facestream.trainer.run.Hyperparameters;
import io.facestream.trainer.run.StepResult;
import io.facestream.trainer.run.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench train}: training throughput (images/s) per model and batch size, with the split between
 * waiting for data, loader work and compute. Runs on generated 112×112 JPEG identities so it needs no data set.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Training images/s for MobileFaceNet and IR-18 at batch 32/64, data vs compute.")
public final class TrainBenchCommand implements Runnable {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--models",
            split = ",",
            defaultValue = "mobilefacenet,ir18",
            description = "models (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(
            names = "--batches",
            split = ",",
            defaultValue = "32,64",
            description = "batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(
            names = "--steps",
            defaultValue = "3",
            description = "measured steps per configuration, after one warm-up step (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--json", paramLabel = "FILE", description = "write the table as JSON")
    Path json;

    @Override
    public void run() {
        ModelStore store = ModelZoo.store(options.load());
        Table table = new Table(
                "Training throughput (" + device + ", AdaFace head, paper augmentations)",
                "model",
                "batch",
                "images/s",
                "step s",
                "data wait %",
                "loader ms/img",
                "compute %");
        Path data = syntheticData(
                Math.max(batches.stream().mapToInt(Integer::intValue).max().orElse(64) * (steps + 2), 256));
        for (String model : models) {
            BaseModel base = BaseModel.resolve(store, model, 1);
            for (int batch : batches) {
                Hyperparameters hyper =
                        Hyperparameters.defaults().withBatch(batch).withLearningRate(0.001);
                try (FaceDataset ds = FaceDataset.open(data);
                        TrainingSession session = new TrainingSession(
                                base,
                                ds,
                                HeadKind.ADAFACE,
                                new Budget.Steps(steps + 1),
                                hyper,
                                Augmentation.PAPER,
                                device,
                                null)) {
                    session.step();
                    long images = 0;
                    long wait = 0;
                    long compute = 0;
                    long work = 0;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        StepResult r = session.step();
                        images += r.images();
                        wait += r.waitNanos();
                        compute += r.computeNanos();
                        work += r.dataWorkNanos();
                        System.out.printf(
                                "  %s batch %d step %d/%d: %.2f s, loss %.3f%n",
                                model, batch, i + 1, steps, (r.waitNanos() + r.computeNanos()) / 1e9, r.loss());
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    table.row(
                            base.manifest().id(),
                            batch,
                            images / secs,
                            secs / steps,
                            100.0 * wait / 1e9 / secs,
                            work / 1e6 / images,
                            100.0 * compute / 1e9 / secs);
                }
            }
        }
        table.note("cores", Runtime.getRuntime().availableProcessors())
                .note("loader threads", Hyperparameters.defaults().loaderThreads())
                .note("data", "generated 112x112 JPEG identities, decoded and augmented per step")
                .note(
                        "loader ms/img",
                        "loader thread CPU time per image (decode + augment + normalise), overlapped with compute by prefetch");
        table.print(System.out);
        Table.writeJson(json, List.of(table));
    }

    /** 16 identities of coloured-noise faces, enough images for every measured step without repeating an epoch. */
    private static Path syntheticData(int images) {
        try {
            Path root = Files.createTempDirectory("facestream-bench-train");
            root.toFile().deleteOnExit();
            Random rnd = new Random(1);
            for (int i = 0; i < images; i++) {
                Path dir = Files.createDirectories(root.resolve(String.format("id%02d", i % 16)));
                byte[] px = new byte[112 * 112 * 3];
                int base = rnd.nextInt(200);
                for (int p = 0; p < px.length; p++) {
                    px[p] = (byte) (base + rnd.nextInt(56));
                }
                Files.write(dir.resolve(i + ".jpg"), ImageCodec.encode(new FaceImage(112, px), ".jpg"));
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

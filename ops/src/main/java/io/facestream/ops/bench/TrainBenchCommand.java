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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "interleaved rounds: every model and batch once per round (default: ${DEFAULT-VALUE})")
    int rounds;

    /** One measured cell: a model at a batch size. */
    private record Cell(String model, int batch) {}

    /** One cell's one round: images/s and the split of its wall time. */
    private record Pass(
            double imagesPerSecond,
            double stepSeconds,
            double waitShare,
            double loaderMsPerImage,
            double computeShare,
            String modelId) {}

    @Override
    public void run() {
        ModelStore store = ModelZoo.store(options.load());
        String loadStart = BenchMachine.loadAverage();
        String commit = BenchMachine.commit();
        Table table = new Table(
                "Training throughput (" + device + ", AdaFace head, paper augmentations), " + rounds
                        + " interleaved rounds",
                "model",
                "batch",
                "images/s",
                "images/s min-max",
                "n",
                "step s",
                "data wait %",
                "loader ms/img",
                "compute %");
        Path data = syntheticData(
                Math.max(batches.stream().mapToInt(Integer::intValue).max().orElse(64) * (steps + 2), 256));
        List<Cell> cells = new ArrayList<>();
        for (String model : models) {
            for (int batch : batches) {
                cells.add(new Cell(model, batch));
            }
        }
        Map<Cell, List<Pass>> passes = new LinkedHashMap<>();
        cells.forEach(c -> passes.put(c, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (Cell c : Rounds.order(cells, round)) {
                passes.get(c).add(measure(store, data, c, round));
            }
        }
        for (Cell c : cells) {
            List<Pass> ps = passes.get(c);
            Rounds.Summary rate =
                    Rounds.Summary.of(ps.stream().map(Pass::imagesPerSecond).toList());
            table.row(
                    ps.get(0).modelId(),
                    c.batch(),
                    rate.median(),
                    rate.range(1),
                    ps.size() * steps,
                    median(ps, Pass::stepSeconds),
                    median(ps, Pass::waitShare),
                    median(ps, Pass::loaderMsPerImage),
                    median(ps, Pass::computeShare));
        }
        table.note("cores", Runtime.getRuntime().availableProcessors())
                .note("loader threads", Hyperparameters.defaults().loaderThreads())
                .note("data", "generated 112x112 JPEG identities, decoded and augmented per step")
                .note(
                        "rounds",
                        "every model and batch once per round, the order reversed every other round; each pass opens a "
                                + "fresh session and runs one unmeasured warm-up step before its " + steps
                                + " measured steps; values are medians over the rounds, n = measured steps")
                .note(
                        "loader ms/img",
                        "loader thread CPU time per image (decode + augment + normalise), overlapped with compute by prefetch")
                .note(
                        "load",
                        "load average " + loadStart + " at the start, " + BenchMachine.loadAverage() + " at the end")
                .note("commit", commit);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
    }

    private static double median(List<Pass> ps, java.util.function.ToDoubleFunction<Pass> f) {
        return Rounds.median(ps.stream().mapToDouble(f).toArray());
    }

    private Pass measure(ModelStore store, Path data, Cell c, int round) {
        BaseModel base = BaseModel.resolve(store, c.model(), 1);
        Hyperparameters hyper = Hyperparameters.defaults().withBatch(c.batch()).withLearningRate(0.001);
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
            session.step(); // warm-up: graph, allocator, loader threads
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
                        "  round %d/%d %s batch %d step %d/%d: %.2f s, loss %.3f%n",
                        round + 1,
                        rounds,
                        c.model(),
                        c.batch(),
                        i + 1,
                        steps,
                        (r.waitNanos() + r.computeNanos()) / 1e9,
                        r.loss());
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Pass(
                    images / secs,
                    secs / steps,
                    100.0 * wait / 1e9 / secs,
                    work / 1e6 / images,
                    100.0 * compute / 1e9 / secs,
                    base.manifest().id());
        }
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

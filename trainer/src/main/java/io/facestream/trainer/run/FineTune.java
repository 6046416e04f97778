package io.facestream.trainer.run;

import io.facestream.embed.model.ModelStore;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.head.NormStatistics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fine-tuning run from start to installed candidate: resolve the base model, train for the budget with periodic
 * checkpoints and progress lines, export the weights into the base ONNX graph and install it as a new version.
 * The candidate is only installed, never released; deciding that is the evaluation gate's job.
 */
public final class FineTune {
    private static final Logger LOG = LoggerFactory.getLogger(FineTune.class);

    private final ModelStore store;
    private final Consumer<String> progress;

    /** @param progress receives the progress lines (step, loss, lr, images/s, ETA) */
    public FineTune(ModelStore store, Consumer<String> progress) {
        this.store = store;
        this.progress = progress;
    }

    public FineTuneResult run(FineTuneRequest request) {
        Hyperparameters hyper = request.hyper();
        Checkpoint resume = request.resume() == null ? null : Checkpoint.read(request.resume());
        // A resumed run continues from the exact version it started from, even if newer ones were installed since.
        String spec = resume == null ? request.baseModel() : resume.state().base();
        if (resume != null && !spec.startsWith(request.baseModel())) {
            throw new IllegalArgumentException("checkpoint " + request.resume() + " belongs to base model " + spec
                    + ", not " + request.baseModel());
        }
        BaseModel base = BaseModel.resolve(store, spec, hyper.seed());
        try (FaceDataset data = FaceDataset.open(request.data());
                TrainingSession session = new TrainingSession(
                        base,
                        data,
                        request.head(),
                        request.budget(),
                        hyper,
                        request.augmentation(),
                        request.device(),
                        resume)) {
            progress.accept("training " + base.manifest().id() + " ("
                    + String.join(",", session.block().opTypes()) + "; "
                    + session.block().trainableSize() + " parameters) on " + data.describe() + " with "
                    + request.head().id()
                    + ", batch " + hyper.batchSize() + ", " + session.totalSteps() + " steps ("
                    + session.stepsPerEpoch() + " per epoch)"
                    + (resume == null ? "" : ", resuming at step " + session.step0())
                    + (hyper.backboneLrScale() == 1 ? "" : ", backbone lr ×" + hyper.backboneLrScale())
                    + ", seed " + hyper.seed() + ", " + io.facestream.trainer.torch.TorchRuntime.intraOpThreads()
                    + " intra-op thread(s)");
            progress.accept(session.centresOrigin());
            if (data.badRecords().count() > 0) {
                progress.accept("data: " + data.badRecords().report());
            }
            List<Double> losses = new ArrayList<>();
            List<double[]> normsSeen = new ArrayList<>();
            long images = 0;
            long waitNanos = 0;
            long started = System.nanoTime();
            long lastLine = started;
            long firstStep = session.step0();
            Path checkpoints = request.workDir().resolve("checkpoints");
            long reportEvery = Math.max(1, (session.totalSteps() - firstStep) / 50);
            while (session.step0() < session.totalSteps()) {
                StepResult r = session.step();
                images += r.images();
                waitNanos += r.waitNanos();
                if (!Double.isNaN(r.loss())) {
                    losses.add(r.loss());
                    normsSeen.add(new double[] {r.normMean(), r.normStd()});
                }
                long done = r.step() + 1;
                long now = System.nanoTime();
                if (done % reportEvery == 0 || now - lastLine > 10_000_000_000L || done == session.totalSteps()) {
                    double secs = (now - started) / 1e9;
                    double rate = images / secs;
                    long left = session.totalSteps() - done;
                    double eta = left * (secs / (done - firstStep));
                    progress.accept(String.format(
                            "step %d/%d epoch %d loss %.4f lr %.2e %.1f img/s data-wait %.0f%% ETA %s",
                            done,
                            session.totalSteps(),
                            r.step() / session.stepsPerEpoch(),
                            window(losses, (int) reportEvery),
                            r.learningRate(),
                            rate,
                            100.0 * waitNanos / (now - started),
                            format(Duration.ofSeconds((long) eta))));
                    lastLine = now;
                }
                if (done % hyper.checkpointEvery() == 0 && done < session.totalSteps()) {
                    save(checkpoint(request, base, data, session), checkpoints);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Checkpoint last = checkpoint(request, base, data, session);
            Path checkpointDir = save(last, checkpoints);
            int tenth = Math.max(1, losses.size() / 10);
            // The manifest's quality reference: feature norms over the last tenth of training (for every head;
            // AdaFace's
            // own EMA stays in the checkpoint, and with α = 0.01 it lags far behind in a short fine-tune).
            List<double[]> tail = normsSeen.subList(Math.max(0, normsSeen.size() - tenth), normsSeen.size());
            NormStatistics norms = new NormStatistics(
                    tail.stream().mapToDouble(n -> n[0]).average().orElse(0),
                    tail.stream().mapToDouble(n -> n[1]).average().orElse(0),
                    session.step0());
            TrainingMetrics metrics = new TrainingMetrics(
                    session.step0() - firstStep,
                    images,
                    mean(losses.subList(0, Math.min(tenth, losses.size()))),
                    mean(losses.subList(Math.max(0, losses.size() - tenth), losses.size())),
                    images / seconds,
                    waitNanos / 1e9 / seconds,
                    seconds,
                    norms,
                    data.badRecords().report());
            var candidate = CandidateModel.install(
                    store,
                    base,
                    session.block(),
                    norms,
                    request.head().id() + " head, " + metrics.steps() + " steps on " + data.describe(),
                    request.workDir());
            progress.accept("installed " + candidate.manifest().id() + " in " + store.root() + " (loss "
                    + String.format("%.4f → %.4f", metrics.firstLoss(), metrics.finalLoss()) + ", norm μ "
                    + String.format("%.3f", norms.mean()) + " σ " + String.format("%.3f", norms.std()) + "; "
                    + metrics.badRecords() + ")");
            LOG.info("fine-tune finished: {}", metrics);
            return new FineTuneResult(candidate, metrics, checkpointDir);
        }
    }

    private static Checkpoint checkpoint(
            FineTuneRequest request, BaseModel base, FaceDataset data, TrainingSession session) {
        return Checkpoint.capture(
                new Checkpoint.State(
                        base.manifest().id(),
                        request.head().id(),
                        session.step0(),
                        session.totalSteps(),
                        request.hyper().seed(),
                        request.hyper().batchSize(),
                        data.classes(),
                        session.loss().head().statistics(),
                        data.describe()),
                session);
    }

    /** Writes {@code checkpoints/step-NNNNNNNN} and keeps only the newest two (an IR-18 checkpoint is ~0.3 GB). */
    private static Path save(Checkpoint checkpoint, Path checkpoints) {
        Path dir = checkpoints.resolve(
                String.format("step-%08d", checkpoint.state().step()));
        checkpoint.write(dir);
        try (var list = java.nio.file.Files.list(checkpoints)) {
            List<Path> old = list.filter(p -> p.getFileName().toString().matches("step-\\d{8}"))
                    .sorted()
                    .toList();
            for (Path p : old.subList(0, Math.max(0, old.size() - 2))) {
                try (var walk = java.nio.file.Files.walk(p)) {
                    for (Path f :
                            walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot prune checkpoints in " + checkpoints, e);
        }
        return dir;
    }

    private static double window(List<Double> values, int n) {
        return mean(values.subList(Math.max(0, values.size() - n), values.size()));
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String format(Duration d) {
        return d.toHours() > 0
                ? d.toHours() + "h" + d.toMinutesPart() + "m"
                : d.toMinutesPart() + "m" + d.toSecondsPart() + "s";
    }
}

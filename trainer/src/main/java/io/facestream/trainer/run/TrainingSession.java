package io.facestream.trainer.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.data.Batch;
import io.facestream.trainer.data.BatchLoader;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.data.InputFormat;
import io.facestream.trainer.graph.OnnxGraphBlock;
import io.facestream.trainer.head.CentreInit;
import io.facestream.trainer.head.ClassCentres;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.head.MarginHead;
import io.facestream.trainer.head.MarginLoss;
import io.facestream.trainer.head.NormStatistics;
import io.facestream.trainer.numerics.Finite;
import io.facestream.trainer.numerics.TrainingDivergedException;
import io.facestream.trainer.torch.Owned;
import io.facestream.trainer.torch.TorchRuntime;
import java.util.Map;

/**
 * The live state of a training run — backbone block, class centres, head, optimiser, loader — and one method,
 * {@link #step()}. {@link FineTune} adds budgets, checkpoints, export and installation; the training benchmark uses
 * it bare.
 */
public final class TrainingSession implements AutoCloseable {
    private final NDManager manager;
    private final OnnxGraphBlock block;
    private final ParameterStore parameterStore;
    private final MarginLoss loss;
    private final Sgd optimizer;
    private final BatchLoader loader;
    private final InputFormat format;
    private final Hyperparameters hyper;
    private final long totalSteps;
    private final String centresOrigin;
    private long step;

    /**
     * @param checkpoint state to continue from, or null for a fresh start
     * @param totalSteps the run's length (for the learning-rate schedule); null = derived from the budget
     */
    public TrainingSession(
            BaseModel base,
            FaceDataset data,
            HeadKind headKind,
            Budget budget,
            Hyperparameters hyper,
            Augmentation augmentation,
            String device,
            Checkpoint checkpoint) {
        TorchRuntime.engine();
        Device dev = TorchRuntime.device(device);
        this.hyper = hyper;
        this.manager = Engine.getEngine("PyTorch").newBaseManager(dev);
        this.block = OnnxGraphBlock.load(
                manager, base.graph(), base.manifest().embedding().output());
        this.parameterStore = new ParameterStore(manager, false);
        this.format = InputFormat.of(base.manifest().input());
        int dim = (int) block.getOutputShapes(new Shape[] {format.shape(2)})[0].get(1);
        NormStatistics stats = NormStatistics.ADAFACE_INITIAL;
        this.step = 0;
        ClassCentres centres;
        if (checkpoint != null) {
            // a resumed run takes its centres from the checkpoint (restore below), so no prototype pass
            centres = ClassCentres.initial(manager, dim, data.classes(), hyper.seed());
            this.centresOrigin =
                    "class centres: from checkpoint step " + checkpoint.state().step();
        } else if (hyper.centresFor(base) == CentreInit.PROTOTYPES) {
            PrototypeCentres p = PrototypeCentres.compute(
                    manager, block, parameterStore, data, format, hyper.batchSize(), hyper.seed());
            centres = p.centres();
            this.centresOrigin = p.describe();
        } else {
            centres = ClassCentres.initial(manager, dim, data.classes(), hyper.seed());
            this.centresOrigin = "class centres: random (seed " + hyper.seed() + ")";
        }
        if (checkpoint != null) {
            if (!checkpoint.state().head().equals(headKind.id())) {
                throw new IllegalArgumentException(
                        "checkpoint was trained with the " + checkpoint.state().head() + " head, not " + headKind.id());
            }
            checkpoint.restore(block, centres, base, data);
            stats = checkpoint.state().normStatistics();
            step = checkpoint.state().step();
        }
        this.loss = new MarginLoss(MarginHead.of(headKind, stats), centres);
        this.optimizer = new Sgd(hyper.momentum(), hyper.weightDecay());
        for (Map.Entry<String, Parameter> e : block.state().entrySet()) {
            if (block.role(e.getKey()).trainable()) {
                optimizer.add(
                        e.getKey(),
                        e.getValue().getArray(),
                        block.role(e.getKey()).decayed(),
                        hyper.backboneLrScale());
            }
        }
        optimizer.add(Checkpoint.CENTRES, centres.weight(), true);
        if (checkpoint != null) {
            checkpoint.restoreMomentum(optimizer);
        }
        this.loader = new BatchLoader(
                data, format, augmentation, hyper.batchSize(), hyper.seed(), step, hyper.loaderThreads());
        this.totalSteps = budget.steps(loader.stepsPerEpoch());
    }

    public StepResult step() {
        long t0 = System.nanoTime();
        Batch batch = loader.next();
        long t1 = System.nanoTime();
        double lr = hyper.learningRate(step, totalSteps);
        double value = Double.NaN;
        double[] norms = new double[0];
        if (batch.size() >= 2) {
            // Seeding per step makes dropout masks a function of (seed, step): a resumed run repeats an uninterrupted
            // one.
            TorchRuntime.seed(hyper.seed() * 1_000_003L + step);
            try (NDScope scope = new NDScope()) {
                NDArray x = Owned.copyOf(manager, batch.pixels(), format.shape(batch.size()));
                NDArray labels = Owned.copyOf(manager, batch.labels());
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray features =
                            block.forward(parameterStore, new NDList(x), true).singletonOrThrow();
                    NDList out = loss.forward(features, labels, true);
                    NDArray l = out.get(0);
                    gc.backward(l);
                    value = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                            .getDouble();
                    norms = out.get(1)
                            .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                            .toDoubleArray();
                }
                // A NaN or Inf is stopped where it first appears, before the update spreads it into every weight.
                if (!Double.isFinite(value)) {
                    throw new TrainingDivergedException(step, "the loss (" + value + ")", batch.sources());
                }
                String badGradient = Finite.firstNonFinite(optimizer.gradients());
                if (badGradient != null) {
                    throw new TrainingDivergedException(step, "the gradient of '" + badGradient + "'", batch.sources());
                }
                optimizer.step(lr);
                String badWeight = Finite.firstNonFinite(optimizer.weights());
                if (badWeight != null) {
                    throw new TrainingDivergedException(
                            step,
                            "the parameter '" + badWeight + "' after the update (lr " + lr + ")",
                            batch.sources());
                }
            }
        }
        double mean = java.util.Arrays.stream(norms).average().orElse(Double.NaN);
        double var =
                java.util.Arrays.stream(norms).map(n -> (n - mean) * (n - mean)).sum() / Math.max(1, norms.length - 1);
        StepResult r = new StepResult(
                step,
                value,
                batch.size(),
                t1 - t0,
                System.nanoTime() - t1,
                batch.workNanos(),
                lr,
                mean,
                Math.sqrt(var));
        step++;
        return r;
    }

    public long step0() {
        return step;
    }

    /** Where the class centres came from (prototypes, random, checkpoint), for the progress log. */
    public String centresOrigin() {
        return centresOrigin;
    }

    public long totalSteps() {
        return totalSteps;
    }

    public int stepsPerEpoch() {
        return loader.stepsPerEpoch();
    }

    public OnnxGraphBlock block() {
        return block;
    }

    public MarginLoss loss() {
        return loss;
    }

    public Sgd optimizer() {
        return optimizer;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        loader.close();
        manager.close();
    }
}

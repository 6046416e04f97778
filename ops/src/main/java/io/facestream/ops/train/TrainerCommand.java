package io.facestream.ops.train;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.health.Health;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import io.facestream.core.metrics.Metrics;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.trainer.cycle.CycleOutcome;
import io.facestream.trainer.cycle.Schedule;
import io.facestream.trainer.cycle.TrainerCycle;
import io.facestream.trainer.cycle.TrainerSettings;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.gate.GatePolicy;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.run.Budget;
import io.facestream.trainer.run.Hyperparameters;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream trainer --every 24h|CRON}: the periodic fine-tuning service (docs/trainer.md). Each wake-up runs
 * one {@link TrainerCycle}; a cycle that fails is logged and the service waits for the next wake-up.
 */
@Command(
        name = "trainer",
        mixinStandardHelpOptions = true,
        description = "Periodic fine-tuning: when enough new labelled data has arrived, fine-tune, gate, release.")
public final class TrainerCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--every",
            required = true,
            paramLabel = "PERIOD|CRON",
            description =
                    "a period (24h, 30m: first cycle at start) or a 5-field cron expression (\"0 3 * * *\": first cycle at its first time)")
    String every;

    @Option(
            names = "--min-new-samples",
            defaultValue = "200",
            description = "labelled images new since the last run needed to train (default: ${DEFAULT-VALUE})")
    int minNewSamples;

    @Option(
            names = "--held-out",
            required = true,
            paramLabel = "DIR",
            description =
                    "aligned faces of identities never trained on (<DIR>/<identity>/*.jpg): the gate's verification pairs")
    Path heldOut;

    @Option(
            names = "--protocol",
            paramLabel = "DIR",
            description = "IJB-S-format data set (e.g. from `synth ijbs`) the gate also evaluates, offline")
    Path protocol;

    @Option(
            names = "--images",
            paramLabel = "DIR",
            description = "labelled image folder used besides the confirmed feedback crops")
    Path images;

    @Option(names = "--model", paramLabel = "NAME", description = "model name (default: face.embedder of the config)")
    String model;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "state and cycle folders (default: ~/.facestream/trainer/<model>)")
    Path work;

    @Option(
            names = "--head",
            defaultValue = "adaface",
            description = "adaface, arcface or cosface (default: ${DEFAULT-VALUE})")
    String head;

    @Option(
            names = "--steps",
            defaultValue = "2000",
            description = "optimiser steps per fine-tune (default: ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--batch", defaultValue = "64", description = "images per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--lr",
            defaultValue = "0.001",
            description = "initial learning rate of the head (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(
            names = "--backbone-lr-scale",
            defaultValue = "0.01",
            paramLabel = "X",
            description =
                    "backbone learning rate = X × --lr (default: ${DEFAULT-VALUE}: with 1e-4 on its backbone the BN-folded MobileFaceNet is wrecked within a few steps, docs/results.md)")
    double backboneLrScale;

    @Option(
            names = "--margin",
            defaultValue = "0.01",
            description = "largest tolerated drop of any gate metric (default: ${DEFAULT-VALUE})")
    double margin;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "training device, cpu or cuda[:N] (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--once", description = "run one cycle now and exit (exit code 0 released or waiting, 3 refused)")
    boolean once;

    /** {@code facestream_trainer_cycles_total{outcome}}: waiting, refused, released or failed. */
    private static final java.util.function.Function<String, Counter> CYCLES =
            outcome -> Counter.builder("facestream.trainer.cycles")
                    .description(
                            "trainer cycles by outcome: waiting (too few new samples), refused (by the gate), released, failed")
                    .tag("outcome", outcome)
                    .register(Metrics.registry());
    /** {@code facestream_trainer_last_cycle_seconds}: when the last cycle ended (epoch seconds; 0 = none yet). */
    private final AtomicLong lastCycle =
            Metrics.registry().gauge("facestream.trainer.last.cycle.seconds", new AtomicLong());

    @Override
    public Integer call() throws InterruptedException {
        Schedule schedule = Schedule.parse(every);
        FacestreamConfig config = options.load();
        String name = model != null ? model : FaceSettings.from(config).embedder();
        TrainerSettings settings = new TrainerSettings(
                name,
                images,
                heldOut,
                protocol,
                work != null
                        ? work
                        : FacestreamPaths.of(config).cache("trainer").resolve(name),
                minNewSamples,
                HeadKind.parse(head),
                new Budget.Steps(steps),
                Hyperparameters.defaults().withBatch(batch).withLearningRate(lr).withBackboneLrScale(backboneLrScale),
                Augmentation.PAPER,
                device,
                GatePolicy.defaults().withMargin(margin));
        String bootstrap = config.getString("kafka.bootstrap", "").trim();
        if (bootstrap.isEmpty()) {
            throw new IllegalArgumentException(
                    "the trainer reads feedback from and releases to Kafka: set kafka.bootstrap (--set kafka.bootstrap=HOST:PORT)");
        }
        TrainerCycle cycle = new TrainerCycle(settings, config, bootstrap, System.out::println);
        if (once) {
            return cycle.run() instanceof CycleOutcome.Refused ? 3 : 0;
        }
        // the management port, as every long-running command has: health, and /metrics for the scraper
        AtomicReference<String> state = new AtomicReference<>("waiting for the first cycle");
        HealthRegistry health = new HealthRegistry().register("trainer", () -> Health.up(state.get()));
        try (ManagementServer management = ManagementServer.start(config, health)) {
            if (management != null) {
                System.out.println("trainer: health and metrics on http://" + config.getString("management.host") + ":"
                        + management.port() + "/metrics");
            }
            ZonedDateTime next =
                    schedule instanceof Schedule.Every ? ZonedDateTime.now() : schedule.next(ZonedDateTime.now());
            while (!Thread.currentThread().isInterrupted()) {
                Duration wait = Duration.between(ZonedDateTime.now(), next);
                if (!wait.isNegative()) {
                    System.out.println("trainer: next cycle at " + next);
                    state.set("next cycle at " + next);
                    Thread.sleep(wait.toMillis());
                }
                state.set("cycle running since " + ZonedDateTime.now());
                String outcome;
                try {
                    CycleOutcome result = cycle.run();
                    outcome = result.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
                    System.out.println("trainer: " + result);
                } catch (RuntimeException e) {
                    outcome = "failed";
                    System.out.println("trainer: cycle failed: " + e.getMessage());
                }
                CYCLES.apply(outcome).increment();
                lastCycle.set(System.currentTimeMillis() / 1000);
                next = schedule.next(ZonedDateTime.now());
            }
        }
        return 0;
    }
}

package io.facestream.trainer.cycle;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.files.FileTrees;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.OfflineFootageSource;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.trainer.data.FeedbackCrops;
import io.facestream.trainer.gate.EvaluationGate;
import io.facestream.trainer.gate.GateVerdict;
import io.facestream.trainer.gate.HeldOutFaces;
import io.facestream.trainer.gate.HeldOutProtocol;
import io.facestream.trainer.release.ModelPublisher;
import io.facestream.trainer.release.ReleasedModels;
import io.facestream.trainer.run.FineTune;
import io.facestream.trainer.run.FineTuneRequest;
import io.facestream.trainer.run.FineTuneResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One wake-up of the periodic trainer: gather the labelled data (operator-confirmed feedback crops plus an optional
 * image folder), and when enough is new, fine-tune from the released model, gate the candidate against it on the
 * held-out data, and release it if it passes.
 */
public final class TrainerCycle {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final TrainerSettings settings;
    private final ModelStore store;
    private final KafkaConnection kafka;
    private final ModelPublisher publisher;
    private final FaceSettings face;
    private final Consumer<String> log;

    public TrainerCycle(TrainerSettings settings, FacestreamConfig config, String bootstrap, Consumer<String> log) {
        this.settings = settings;
        this.store = ModelZoo.store(config);
        this.face = FaceSettings.from(config);
        this.kafka = KafkaConnection.fromConfig(config, bootstrap);
        // read at the start, so a missing or bad signing key stops the trainer before hours of training
        this.publisher = ModelPublisher.fromConfig(kafka, config);
        this.log = log;
    }

    public CycleOutcome run() {
        Path cycle = settings.work().resolve("cycle-" + LocalDateTime.now().format(STAMP));
        Path data = cycle.resolve("data");
        FeedbackCrops.Export feedback = FeedbackCrops.export(kafka, cycle.resolve("feedback"), Duration.ofSeconds(60));
        log.accept(String.format(
                "trainer: feedback: %d confirmed tracks, %d subjects, %d rejected tracks as hard negatives (%d of"
                        + " subjects without confirmed crops left out), %d crops; bad records: %s",
                feedback.tracks(),
                feedback.subjects(),
                feedback.rejectedTracks(),
                feedback.rejectedUnmatched(),
                feedback.crops(),
                feedback.bad()));
        long samples = link(feedback.folder(), data, "feedback.")
                + (settings.imageFolder() == null ? 0 : link(settings.imageFolder(), data, "folder."));
        TrainingTrigger trigger = TrainingTrigger.load(settings.work(), settings.minNewSamples());
        if (!trigger.due(samples)) {
            log.accept(String.format(
                    "trainer: %d labelled samples, %d new since the last run, %d needed: waiting",
                    samples, trigger.newSamples(samples), settings.minNewSamples()));
            FileTrees.deleteLeftover(cycle);
            return new CycleOutcome.Waiting(samples, trigger.newSamples(samples), settings.minNewSamples());
        }
        ModelStore.InstalledModel current = current();
        log.accept("trainer: " + trigger.newSamples(samples) + " new samples (" + samples + " in all): fine-tuning "
                + current.manifest().id());
        FineTuneResult tuned = new FineTune(store, log)
                .run(new FineTuneRequest(
                        data,
                        current.manifest().id(),
                        settings.head(),
                        settings.budget(),
                        settings.hyper(),
                        settings.augmentation(),
                        settings.device(),
                        cycle.resolve("train"),
                        null));
        trigger.ranAt(samples, settings.work());

        ModelRouter router = new ModelRouter(new OnnxSessions(face.device(), face.intraOpThreads()), face);
        HeldOutProtocol protocol = settings.protocol() == null
                ? null
                : new HeldOutProtocol(
                        IjbsProtocolReader.read(settings.protocol()),
                        embedder -> new OfflineFootageSource(
                                new Footage(settings.protocol(), GroundTruth.read(settings.protocol())), embedder));
        GateVerdict verdict = new EvaluationGate(
                        new HeldOutFaces(settings.heldOut()), protocol, settings.gate(), router::embedder, log)
                .judge(current, tuned.candidate());
        if (!verdict.accepted()) {
            return new CycleOutcome.Refused(tuned.candidate().manifest().id(), verdict);
        }
        ModelRelease release = publisher.publish(tuned.candidate(), verdict);
        log.accept("trainer: released " + release.getName() + "@" + release.getVersion() + " (was "
                + release.getPreviousVersion() + ")");
        return new CycleOutcome.Released(release, verdict);
    }

    /**
     * The released version. Before any release: the zoo's version of a zoo model (not the store's newest, which may
     * be an unreleased candidate), else the newest installed version of that name.
     */
    private ModelStore.InstalledModel current() {
        Optional<ModelRelease> released = ReleasedModels.current(kafka, settings.model(), Duration.ofSeconds(30));
        if (released.isPresent()) {
            return store.load(released.get().getName(), released.get().getVersion());
        }
        return ModelZoo.resolve(store, settings.model());
    }

    /** Links every identity folder of {@code from} into {@code into} under a prefix; returns the images linked. */
    private static long link(Path from, Path into, String prefix) {
        if (!Files.isDirectory(from)) {
            throw new IllegalArgumentException("training data folder " + from + " does not exist");
        }
        long images = 0;
        try (Stream<Path> ids = Files.list(from)) {
            Files.createDirectories(into);
            for (Path id : ids.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(id)) {
                    long n = files.filter(Files::isRegularFile).count();
                    if (n > 0) {
                        Files.createSymbolicLink(into.resolve(prefix + id.getFileName()), id.toAbsolutePath());
                        images += n;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot gather training data from " + from, e);
        }
        return images;
    }
}

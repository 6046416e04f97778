package io.facestream.trainer.cycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.Verdict;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseSigning;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.gate.GatePolicy;
import io.facestream.trainer.graph.IrNet;
import io.facestream.trainer.graph.OnnxExport;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.release.ReleasedModels;
import io.facestream.trainer.run.BaseModel;
import io.facestream.trainer.run.Budget;
import io.facestream.trainer.run.Hyperparameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One periodic-trainer cycle on a real broker with a tiny IR net and a two-step budget: confirmed feedback crops
 * become training data (bad records counted), too little new data waits, enough trains, gates and releases.
 */
@KafkaBroker
class TrainerCycleTest {
    private static final IrNet TINY =
            new IrNet("ir-tiny-cycle", new int[] {8, 16, 16, 32}, new int[] {1, 1, 1, 1}, 32, 64);

    @Test
    void enoughConfirmedFeedbackTrainsGatesAndReleases(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ModelStore store = new ModelStore(dir.resolve("models"));
        BaseModel scratch = BaseModel.fromScratch(TINY, 3);
        Path onnx = dir.resolve("tiny.onnx");
        OnnxExport.write(scratch.graph(), onnx);
        store.install(scratch.manifest(), Map.of("main", onnx));
        // the trainer signs its releases with the configured key
        java.security.KeyPair key = ReleaseSigning.writeKeyPair(dir.resolve("keys"));
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", store.root().toString())
                .flag(
                        "models.signing.private-key",
                        dir.resolve("keys")
                                .resolve(ReleaseSigning.PRIVATE_KEY_FILE)
                                .toString())
                .build();

        String gallery = "cycle" + UUID.randomUUID().toString().substring(0, 6);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            for (int track = 0; track < 2; track++) {
                Feedback.Builder f = Feedback.newBuilder()
                        .setMatchId(gallery + "-m" + s + track)
                        .setVerdict(Verdict.CONFIRM)
                        .setGallery(gallery)
                        .setSubjectId("s" + s)
                        .setTrackId("t" + s + track);
                for (int c = 0; c < 4; c++) {
                    f.addAlignedCropsJpeg(ByteString.copyFrom(Patterns.jpeg(s, track * 4 + c)));
                }
                records.add(new ProducerRecord<>(
                        TopicCatalog.FEEDBACK, f.getMatchId(), f.build().toByteArray()));
            }
        }
        records.add(
                new ProducerRecord<>(TopicCatalog.FEEDBACK, gallery + "-junk", new byte[] {(byte) 0xff, 0x01, 0x02}));
        records.add(new ProducerRecord<>(
                TopicCatalog.FEEDBACK,
                gallery + "-empty",
                Feedback.newBuilder()
                        .setMatchId(gallery + "-empty")
                        .setVerdict(Verdict.CONFIRM)
                        .setGallery(gallery)
                        .setSubjectId("s0")
                        .build()
                        .toByteArray()));
        records.add(new ProducerRecord<>(
                TopicCatalog.FEEDBACK,
                gallery + "-broken",
                Feedback.newBuilder()
                        .setMatchId(gallery + "-broken")
                        .setVerdict(Verdict.CONFIRM)
                        .setGallery(gallery)
                        .setSubjectId("s1")
                        .addAlignedCropsJpeg(ByteString.copyFromUtf8("not a jpeg"))
                        .build()
                        .toByteArray()));
        records.add(new ProducerRecord<>(
                TopicCatalog.FEEDBACK,
                gallery + "-reject",
                Feedback.newBuilder()
                        .setMatchId(gallery + "-reject")
                        .setVerdict(Verdict.REJECT)
                        .setGallery(gallery)
                        .setSubjectId("s2")
                        .addAlignedCropsJpeg(ByteString.copyFrom(Patterns.jpeg(9, 0)))
                        .build()
                        .toByteArray()));
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "cycle-feedback"))) {
            for (var r : records) {
                producer.send(r).get();
            }
        }
        Path heldOut = dir.resolve("held-out");
        for (int id = 50; id < 54; id++) {
            Path d = Files.createDirectories(heldOut.resolve("id" + id));
            for (int s = 0; s < 3; s++) {
                Files.write(d.resolve(s + ".jpg"), Patterns.jpeg(id, s));
            }
        }

        List<String> log = new ArrayList<>();
        Path work = dir.resolve("work");
        // the broker is shared by this JVM's tests: other feedback may be there too, so the thresholds are relative
        CycleOutcome waiting = cycle(settings(work, heldOut, 1_000_000), config, bootstrap, log)
                .run();
        CycleOutcome.Waiting w = assertInstanceOf(CycleOutcome.Waiting.class, waiting);
        assertTrue(w.samples() >= 24, w.toString());
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.contains("bad records: 3 bad records") || l.matches(".*bad records: [3-9].*")),
                log.toString());

        CycleOutcome outcome =
                cycle(settings(work, heldOut, 24), config, bootstrap, log).run();
        log.forEach(System.out::println);
        try {
            CycleOutcome.Released released = assertInstanceOf(CycleOutcome.Released.class, outcome, outcome.toString());
            assertEquals(TINY.name(), released.release().getName());
            assertEquals("0-ft.1", released.release().getVersion());
            assertEquals("0", released.release().getPreviousVersion());
            ModelRelease current = ReleasedModels.current(bootstrap, TINY.name(), Duration.ofSeconds(30))
                    .orElseThrow();
            assertEquals("0-ft.1", current.getVersion());
            // signed, listing the candidate's file: what embed and match services with the public key accept
            assertEquals(
                    store.load(TINY.name(), "0-ft.1").manifest().file("main").sha256(),
                    current.getFiles(0).getSha256());
            ReleaseValidator.requiringSignatures(key.getPublic()).check(TINY.name(), current, "0");
            assertTrue(ReleaseSigning.verify(current, key.getPublic()));
            // the training set held this test's three confirmed subjects with 8 crops each
            Path cycleDir;
            try (Stream<Path> cycles = Files.list(work)) {
                cycleDir = cycles.filter(p -> p.getFileName().toString().startsWith("cycle-"))
                        .findFirst()
                        .orElseThrow();
            }
            for (int s = 0; s < 3; s++) {
                try (Stream<Path> crops =
                        Files.list(cycleDir.resolve("data").resolve("feedback." + gallery + ".s" + s))) {
                    assertEquals(8, crops.count());
                }
            }
            // nothing new since: the next wake-up waits
            assertInstanceOf(
                    CycleOutcome.Waiting.class,
                    cycle(settings(work, heldOut, 1), config, bootstrap, log).run());
        } finally {
            try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "cycle-withdraw"))) {
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, TINY.name(), null))
                        .get();
            }
        }
    }

    private static TrainerSettings settings(Path work, Path heldOut, int minNew) {
        // margin 0.99: two steps of a tiny net must not be judged here (EvaluationGateTest covers refusals)
        return new TrainerSettings(
                TINY.name(),
                null,
                heldOut,
                null,
                work,
                minNew,
                HeadKind.ADAFACE,
                new Budget.Steps(2),
                Hyperparameters.defaults()
                        .withBatch(8)
                        .withLearningRate(0.01)
                        .withSeed(5)
                        .withLoaderThreads(1),
                Augmentation.NONE,
                "cpu",
                GatePolicy.defaults().withMargin(0.99));
    }

    private static TrainerCycle cycle(TrainerSettings s, FacestreamConfig config, String bootstrap, List<String> log) {
        return new TrainerCycle(s, config, bootstrap, log::add);
    }
}

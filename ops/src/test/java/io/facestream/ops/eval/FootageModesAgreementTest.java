package io.facestream.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.eval.Progress;
import io.facestream.eval.footage.FeatureAgreement;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.FootageSources;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.RecordingSource;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.ops.FacestreamCli;
import io.facestream.synth.TinySynth;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline and streaming mode on the same synthetic footage (5 subjects, 3 H.264 videos at 320×240, real MobileFaceNet,
 * real broker and embed service): the same faces, near-identical features (the only difference is the JPEG
 * re-encoding of replayed frames), the same metrics within the stated tolerance.
 */
@KafkaBroker
class FootageModesAgreementTest {
    /** Stated tolerance (docs/evaluation.md, "Footage modes"): per-face cosine ≥ 0.95, mean ≥ 0.99, every metric within one probe. */
    static final double MIN_FACE_COSINE = 0.95, MEAN_FACE_COSINE = 0.99;

    @TempDir
    static Path dir;

    static Path data;
    static FacestreamConfig config;

    @BeforeAll
    static void generate() {
        data = TinySynth.generate(dir.resolve("synth"), 5, 3, 30);
        config = FacestreamConfig.builder()
                .isolated()
                .flag("models.dir", ModelZoo.defaultStore().root().toString())
                .build();
    }

    @Test
    void offlineAndStreamingAgree(@KafkaBroker.Bootstrap String bootstrap) {
        Footage footage = new Footage(data, GroundTruth.read(data));
        IjbsEvaluation evaluation = new IjbsEvaluation(IjbsProtocolReader.read(data));

        RecordingSource offline;
        IjbsReport offlineReport;
        try (FootageSources.Opened o = FootageSources.offline(footage, config)) {
            offline = new RecordingSource(o.source());
            offlineReport = evaluation.evaluate(offline, Progress.silent());
        }
        RecordingSource streaming;
        IjbsReport streamingReport;
        try (FootageSources.Opened s =
                FootageSources.streaming(footage, config, bootstrap, FootageSources.REPLAY_JPEG_QUALITY)) {
            streaming = new RecordingSource(s.source());
            streamingReport = evaluation.evaluate(streaming, Progress.silent());
        }

        assertEquals(footage.truth().faces(), offline.features().size(), "offline embeds every labelled face");
        FeatureAgreement a =
                FeatureAgreement.of(offline.features(), streaming.features(), offlineReport, streamingReport);
        System.err.println("offline vs streaming: " + a);
        assertEquals(offline.features().size(), a.faces(), "streaming delivers the same faces");
        assertEquals(0, a.onlyInOne());
        assertTrue(a.minCosine() >= MIN_FACE_COSINE, "lowest per-face cosine " + a.minCosine());
        assertTrue(a.meanCosine() >= MEAN_FACE_COSINE, "mean per-face cosine " + a.meanCosine());
        assertTrue(
                a.maxMetricDiff() <= FeatureAgreement.oneProbe(offlineReport) + 1e-12,
                "largest metric difference " + a.maxMetricDiff() + " exceeds one probe "
                        + FeatureAgreement.oneProbe(offlineReport));
        assertFalse(offlineReport.normSamples().isEmpty(), "face sizes known: the norm plot has points");
    }

    @Test
    void theCommandScoresFootageOfflineAndRefusesTwoInputs() throws Exception {
        IjbsReport direct;
        try (FootageSources.Opened o = FootageSources.offline(new Footage(data, GroundTruth.read(data)), config)) {
            direct = new IjbsEvaluation(IjbsProtocolReader.read(data)).evaluate(o.source(), Progress.silent());
        }
        Path json = dir.resolve("offline.json");
        assertEquals(
                0,
                FacestreamCli.run(
                        "eval",
                        "ijbs",
                        "--protocol",
                        data.toString(),
                        "--data",
                        data.toString(),
                        "--set",
                        "models.dir=" + ModelZoo.defaultStore().root(),
                        "--json",
                        json.toString()));
        assertEquals(Json.mapper().valueToTree(direct.scores()), Json.mapper().readTree(json.toFile()));

        assertEquals(
                2,
                FacestreamCli.run(
                        "eval",
                        "ijbs",
                        "--protocol",
                        data.toString(),
                        "--data",
                        data.toString(),
                        "--features",
                        dir.toString()),
                "--data and --features are mutually exclusive");
    }
}

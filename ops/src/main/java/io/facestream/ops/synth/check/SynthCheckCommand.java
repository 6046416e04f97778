package io.facestream.ops.synth.check;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.FootageSources;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.OfflineFootageSource;
import io.facestream.eval.footage.RecordingSource;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.synth.check.StillPairs;
import io.facestream.synth.check.Verification;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream synth check --data DIR}: are the identities of a synthetic set distinguishable by the model at
 * high quality? Aligns every enrolment still with its ground-truth landmarks, embeds it, and scores all still pairs
 * (genuine = same subject, impostor = different subjects): best-threshold accuracy, TAR@FAR=1% and AUC, plus the
 * closest-looking subject pairs.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description =
                "Verification accuracy of a synthetic set's enrolment stills with a face model (identity separability).")
public final class SynthCheckCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "Data set written by `facestream synth ijbs`")
    Path data;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "Embedder from the model zoo (default: face.embedder, mobilefacenet)")
    String model;

    @Option(
            names = "--lookalikes",
            paramLabel = "N",
            defaultValue = "5",
            description = "Closest subject pairs to list (default: ${DEFAULT-VALUE})")
    int lookalikes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        Map<String, Object> flags = new HashMap<>();
        if (model != null) {
            flags.put("face.embedder", model);
        }
        FacestreamConfig config = options.load(flags);
        Footage stills = new Footage(data, GroundTruth.read(data).stills());
        RecordingSource faces;
        String describe;
        try (FootageSources.Opened opened = FootageSources.offline(stills, config)) {
            faces = new RecordingSource(opened.source());
            faces.forEach(f -> {});
            describe = ((OfflineFootageSource) opened.source()).describe();
        }
        StillPairs pairs = StillPairs.of(faces.features());
        Verification v = pairs.verification();
        Table t = new Table(
                        "identity check: enrolment stills of " + data + ", " + describe,
                        "stills",
                        "genuine pairs",
                        "impostor pairs",
                        "best accuracy %",
                        "threshold",
                        "TAR@FAR=1% %",
                        "AUC")
                .row(
                        faces.features().size(),
                        v.genuine(),
                        v.impostor(),
                        pct(v.bestAccuracy()),
                        String.format(Locale.ROOT, "%.3f", v.bestThreshold()),
                        pct(v.tarAtFar1()),
                        String.format(Locale.ROOT, "%.4f", v.auc()));
        List<StillPairs.Lookalike> top = pairs.lookalikes()
                .subList(0, Math.min(lookalikes, pairs.lookalikes().size()));
        for (int i = 0; i < top.size(); i++) {
            StillPairs.Lookalike l = top.get(i);
            t.note(
                    "lookalike " + (i + 1),
                    String.format(Locale.ROOT, "subjects %d and %d, cosine %.3f", l.a(), l.b(), l.cosine()));
        }
        t.print(System.out);
        Table.writeJson(json, List.of(t));
        return 0;
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }
}

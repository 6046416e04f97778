package io.facestream.ops.eval;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.eval.footage.FeatureAgreement;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.FootageSources;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.ModeRun;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.eval.report.IjbsHtmlReport;
import io.facestream.eval.report.ProgressLine;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream eval ijbs-synth --out DIR}: the whole synthetic benchmark of docs/results.md in one command —
 * generate the set (unless DIR already holds one), check identity separability on the stills
 * ({@code synth check}), score IJB-S offline, and with {@code --streaming} also through Kafka with the agreement.
 */
@Command(
        name = "ijbs-synth",
        mixinStandardHelpOptions = true,
        description = "Generate a synthetic IJB-S set, check its identities, and evaluate it (docs/results.md).")
public final class IjbsSynthEvalCommand implements Callable<Integer> {
    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Data set folder (generated when it holds no synth.json)")
    Path out;

    @Option(names = "--subjects", defaultValue = "100", description = "Subjects (default: ${DEFAULT-VALUE})")
    int subjects;

    @Option(
            names = "--videos",
            defaultValue = "150",
            description =
                    "Videos (default: ${DEFAULT-VALUE}, enough for a Sur-to-Sur gallery of every enrolled subject)")
    int videos;

    @Option(
            names = "--frames-per-video",
            defaultValue = "25",
            description =
                    "Frames per video (default: ${DEFAULT-VALUE}: 1 s walks keep a full run near 15 min on 2 cores)")
    int frames;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--streaming",
            description = "Also evaluate through Kafka and the embed service and report the agreement")
    boolean streaming;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the offline metrics as JSON")
    Path json;

    @Option(names = "--html", paramLabel = "OUT", description = "Write the offline HTML report")
    Path html;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(out.resolve("synth.json"))) {
            require(
                    FacestreamCli.run(
                            "synth",
                            "ijbs",
                            "--out",
                            out.toString(),
                            "--subjects",
                            Integer.toString(subjects),
                            "--videos",
                            Integer.toString(videos),
                            "--frames-per-video",
                            Integer.toString(frames),
                            "--seed",
                            Long.toString(seed)),
                    "synth ijbs");
        } else {
            System.err.println(
                    "ijbs-synth: using the existing set in " + out + " (its own parameters, see synth.json)");
        }
        FacestreamConfig config = options.load();
        require(
                FacestreamCli.run(
                        "synth",
                        "check",
                        "--data",
                        out.toString(),
                        "--set",
                        "face.embedder=" + config.getString("face.embedder")),
                "synth check");

        IjbsProtocolFolder protocol = IjbsProtocolReader.read(out);
        Footage footage = new Footage(out, GroundTruth.read(out));
        ModeRun offline = ModeRun.offline(protocol, footage, config, new ProgressLine(System.err, "offline"));
        IjbsEvalCommand.table(offline.report()).print(System.out);
        if (json != null) {
            offline.report().writeJson(json);
            System.out.println("  json: " + json);
        }
        if (html != null) {
            IjbsHtmlReport.write(offline.report(), html);
            System.out.println("  html: " + html);
        }
        if (streaming) {
            ModeRun s = ModeRun.streaming(
                    protocol,
                    footage,
                    config,
                    null,
                    FootageSources.REPLAY_JPEG_QUALITY,
                    new ProgressLine(System.err, "streaming"));
            IjbsEvalCommand.table(s.report()).print(System.out);
            FeatureAgreement a =
                    FeatureAgreement.of(offline.faces().features(), s.faces().features(), offline.report(), s.report());
            new Table(
                            "offline vs streaming on " + out,
                            "faces",
                            "only in one mode",
                            "min cosine",
                            "mean cosine",
                            "max norm diff %",
                            "max metric diff (points)",
                            "one probe (points)")
                    .row(
                            a.faces(),
                            a.onlyInOne(),
                            fixed(a.minCosine(), 4),
                            fixed(a.meanCosine(), 4),
                            fixed(100 * a.maxNormDiff(), 2),
                            fixed(100 * a.maxMetricDiff(), 2),
                            fixed(100 * FeatureAgreement.oneProbe(offline.report()), 2))
                    .print(System.out);
        }
        return 0;
    }

    private static void require(int rc, String step) {
        if (rc != 0) {
            throw new CommandFailed(step + " failed (exit " + rc + ")");
        }
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

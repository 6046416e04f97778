package io.facestream.ops.eval;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.eval.features.FeatureFolderSource;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.FootageSources;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.NormSizeCorrelation;
import io.facestream.eval.ijbs.ProtocolOutcome;
import io.facestream.eval.ijbs.metrics.IdentificationResult;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.eval.report.IjbsHtmlReport;
import io.facestream.eval.report.ProgressLine;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream eval ijbs --protocol DIR (--data DIR [--model NAME] [--mode offline|streaming] [--bootstrap H:P]
 * | --features DIR) [--json OUT] [--html OUT]}: the three IJB-S protocols, printed as AdaFace's README table
 * (Rank-1 / Rank-5 / TPIR@FPIR=1%). The faces come from one {@link FeatureSource}; {@link #open} is the one place
 * that picks it: precomputed features, or the footage of a data folder embedded directly (offline) or replayed
 * through Kafka and the embed service (streaming).
 */
@Command(
        name = "ijbs",
        mixinStandardHelpOptions = true,
        description = {
            "IJB-S Sur-to-Single, Sur-to-Book and Sur-to-Sur (adaface.md §5c): Rank-1/5/10 closed set over G1 ∪ G2,",
            "TPIR at FPIR 1% and 10% per gallery, averaged. --json writes {\"sur_to_single\": …, \"sur_to_book\": …, \"sur_to_sur\": …}."
        })
public final class IjbsEvalCommand implements Runnable {

    @Option(
            names = "--protocol",
            required = true,
            paramLabel = "DIR",
            description = "IJB-S protocol folder (cs6_metadata.csv, probe files, galleries/)")
    Path protocol;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** Where the faces come from: exactly one of footage or a features folder. */
    static final class Input {
        @ArgGroup(
                exclusive = false,
                heading = "Footage (ground-truth faces of a data folder, embedded by our model):%n")
        FootageInput footage;

        @Option(
                names = "--features",
                paramLabel = "DIR",
                description = "Precomputed features: paths.txt, features.f32 (float32 LE rows), meta.json {\"dim\": D}")
        Path features;
    }

    static final class FootageInput {
        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "Data folder with the media files named in cs6_metadata.csv (img/, videos/)")
        Path data;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description = "Embedder from the model zoo (default: face.embedder, mobilefacenet)")
        String model;

        @Option(
                names = "--mode",
                paramLabel = "MODE",
                defaultValue = "offline",
                description =
                        "offline: decode, align and embed directly; streaming: replay through Kafka and the embed service (default: ${DEFAULT-VALUE})")
        String mode;

        @Option(
                names = "--bootstrap",
                paramLabel = "HOST:PORT",
                description =
                        "Streaming: Kafka to replay through (default: a temporary in-process broker); an embed service runs in-process either way")
        String bootstrap;

        @Option(
                names = "--jpeg-quality",
                paramLabel = "Q",
                defaultValue = "" + FootageSources.REPLAY_JPEG_QUALITY,
                description = "Streaming: JPEG quality of replayed frames (default: ${DEFAULT-VALUE})")
        int jpegQuality;
    }

    @Mixin
    ConfigOptions options;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the metrics as JSON (fractions in [0, 1])")
    Path json;

    @Option(
            names = "--html",
            paramLabel = "OUT",
            description = "Write a self-contained HTML report (CMC, TPIR-vs-FPIR, norm vs face size)")
    Path html;

    @Override
    public void run() {
        IjbsProtocolFolder folder = IjbsProtocolReader.read(protocol);
        IjbsReport report;
        try (FootageSources.Opened opened = open()) {
            FeatureSource source = opened.source();
            System.err.println("ijbs: " + source.describe() + ", protocol " + protocol);
            report = new IjbsEvaluation(folder).evaluate(source, new ProgressLine(System.err, "ijbs"));
        }
        table(report).print(System.out);
        if (json != null) {
            report.writeJson(json);
            System.out.println("  json: " + json);
        }
        if (html != null) {
            IjbsHtmlReport.write(report, html);
            System.out.println("  html: " + html);
        }
    }

    /** Features from a folder, or footage embedded offline or through the streaming pipeline. */
    private FootageSources.Opened open() {
        if (input.features != null) {
            return new FootageSources.Opened(FeatureFolderSource.open(input.features), List.of());
        }
        FootageInput f = input.footage;
        FacestreamConfig config = options.load("face.embedder", f.model);
        Footage footage = new Footage(f.data, GroundTruth.read(protocol));
        return switch (f.mode) {
            case "offline" -> {
                if (f.bootstrap != null) {
                    throw new IllegalArgumentException("--bootstrap applies to --mode streaming only");
                }
                yield FootageSources.offline(footage, config);
            }
            case "streaming" -> FootageSources.streaming(footage, config, f.bootstrap, f.jpegQuality);
            default -> throw new IllegalArgumentException("--mode must be offline or streaming, got '" + f.mode + "'");
        };
    }

    static Table table(IjbsReport report) {
        Table t = new Table(
                "IJB-S (" + report.source() + "), %",
                "protocol",
                "Rank-1",
                "Rank-5",
                "Rank-10",
                "TPIR@FPIR=1%",
                "TPIR@FPIR=10%",
                "R1 / R5 / 1%",
                "probes",
                "mated",
                "empty templates");
        for (ProtocolOutcome o : report.protocols()) {
            IdentificationResult r = o.result();
            t.row(
                    o.protocol().title(),
                    percent(r.rank(1)),
                    percent(r.rank(5)),
                    percent(r.rank(10)),
                    percent(r.tpirAtFpir(0.01)),
                    percent(r.tpirAtFpir(0.1)),
                    String.format(
                            Locale.ROOT,
                            "%.2f / %.2f / %.2f",
                            100 * r.rank(1),
                            100 * r.rank(5),
                            100 * r.tpirAtFpir(0.01)),
                    r.probes(),
                    r.matedProbes(),
                    o.emptyProbeTemplates() + " probe, " + o.emptyGalleryTemplates() + " gallery");
        }
        NormSizeCorrelation c = report.normVsSize();
        return t.note("faces read", report.facesRead())
                .note("faces in no template", report.facesUnused())
                .note(
                        "norm vs face size, Spearman ρ",
                        c.samples() == 0
                                ? "face sizes unknown"
                                : c.defined()
                                        ? String.format(
                                                Locale.ROOT, "%.3f over %d video faces", c.spearman(), c.samples())
                                        : "undefined over " + c.samples() + " video faces");
    }

    /** Two decimals like AdaFace's README (the JSON keeps the exact fractions). */
    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }
}

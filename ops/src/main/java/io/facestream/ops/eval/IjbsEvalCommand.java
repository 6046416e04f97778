package io.facestream.ops.eval;

import io.facestream.eval.features.FeatureFolderSource;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.ProtocolOutcome;
import io.facestream.eval.ijbs.metrics.IdentificationResult;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.eval.report.IjbsHtmlReport;
import io.facestream.eval.report.ProgressLine;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream eval ijbs --protocol DIR --features DIR [--json OUT] [--html OUT]}: the three IJB-S protocols
 * on precomputed features, printed as AdaFace's README table (Rank-1 / Rank-5 / TPIR@FPIR=1%).
 * The faces come from one {@link FeatureSource}; {@link #source()} is the one place that picks it.
 */
@Command(name = "ijbs", mixinStandardHelpOptions = true,
        description = {"IJB-S Sur-to-Single, Sur-to-Book and Sur-to-Sur (adaface.md §5c): Rank-1/5/10 closed set over G1 ∪ G2,",
                "TPIR at FPIR 1% and 10% per gallery, averaged. --json writes {\"sur_to_single\": …, \"sur_to_book\": …, \"sur_to_sur\": …}."})
public final class IjbsEvalCommand implements Runnable {

    @Option(names = "--protocol", required = true, paramLabel = "DIR",
            description = "IJB-S protocol folder (cs6_metadata.csv, probe files, galleries/)")
    Path protocol;

    @Option(names = "--features", required = true, paramLabel = "DIR",
            description = "Precomputed features: paths.txt, features.f32 (float32 LE rows), meta.json {\"dim\": D}")
    Path features;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the metrics as JSON (fractions in [0, 1])")
    Path json;

    @Option(names = "--html", paramLabel = "OUT", description = "Write a self-contained HTML report (CMC, TPIR-vs-FPIR, norm vs face size)")
    Path html;

    @Override
    public void run() {
        IjbsProtocolFolder folder = IjbsProtocolReader.read(protocol);
        FeatureSource source = source();
        System.err.println("ijbs: " + source.describe() + ", protocol " + protocol);
        IjbsReport report = new IjbsEvaluation(folder).evaluate(source, new ProgressLine(System.err, "ijbs"));
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

    /** Features from a folder; footage (offline) and pipeline replay (streaming) sources will be chosen here too. */
    private FeatureSource source() {
        return FeatureFolderSource.open(features);
    }

    static Table table(IjbsReport report) {
        Table t = new Table("IJB-S (" + report.source() + "), %", "protocol", "Rank-1", "Rank-5", "Rank-10",
                "TPIR@FPIR=1%", "TPIR@FPIR=10%", "R1 / R5 / 1%", "probes", "mated", "empty templates");
        for (ProtocolOutcome o : report.protocols()) {
            IdentificationResult r = o.result();
            t.row(o.protocol().title(), percent(r.rank(1)), percent(r.rank(5)), percent(r.rank(10)),
                    percent(r.tpirAtFpir(0.01)), percent(r.tpirAtFpir(0.1)),
                    String.format(Locale.ROOT, "%.2f / %.2f / %.2f", 100 * r.rank(1), 100 * r.rank(5), 100 * r.tpirAtFpir(0.01)),
                    r.probes(), r.matedProbes(), o.emptyProbeTemplates() + " probe, " + o.emptyGalleryTemplates() + " gallery");
        }
        return t.note("faces read", report.facesRead()).note("faces in no template", report.facesUnused());
    }

    /** Two decimals like AdaFace's README (the JSON keeps the exact fractions). */
    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }
}

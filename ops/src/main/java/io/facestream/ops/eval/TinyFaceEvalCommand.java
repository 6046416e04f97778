package io.facestream.ops.eval;

import io.facestream.core.json.Json;
import io.facestream.eval.features.FeatureFolder;
import io.facestream.eval.report.ProgressLine;
import io.facestream.eval.tinyface.TinyFaceEvaluation;
import io.facestream.eval.tinyface.TinyFaceReport;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facestream eval tinyface --features DIR [--json OUT]}: TinyFace rank-1/5/20 on precomputed features. */
@Command(
        name = "tinyface",
        mixinStandardHelpOptions = true,
        description = {
            "TinyFace closed-set identification (adaface.md §5d): rank-1/5/20, gallery = Gallery_Match ∪ Gallery_Distractor.",
            "paths.txt lines are <Probe|Gallery_Match|Gallery_Distractor>/<name>.<ext>; the features should already include any flip TTA."
        })
public final class TinyFaceEvalCommand implements Runnable {

    @Option(
            names = "--features",
            required = true,
            paramLabel = "DIR",
            description = "Precomputed features: paths.txt, features.f32 (float32 LE rows), meta.json {\"dim\": D}")
    Path features;

    @Option(names = "--json", paramLabel = "OUT", description = "Write {\"rank1\", \"rank5\", \"rank20\"} as fractions")
    Path json;

    @Override
    public void run() {
        FeatureFolder folder = FeatureFolder.open(features);
        TinyFaceReport report = TinyFaceEvaluation.evaluate(folder, new ProgressLine(System.err, "tinyface"));
        Table t = new Table(
                "TinyFace (" + features + "), %",
                "rank-1",
                "rank-5",
                "rank-20",
                "probes",
                "gallery match",
                "distractors");
        t.row(
                percent(report.rank(1)),
                percent(report.rank(5)),
                percent(report.rank(20)),
                report.probes(),
                report.galleryMatch(),
                report.distractors());
        t.print(System.out);
        if (json != null) {
            try {
                if (json.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(json.toAbsolutePath().getParent());
                }
                Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report.scores());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
            System.out.println("  json: " + json);
        }
    }

    /** Two decimals like AdaFace's README (the JSON keeps the exact fractions). */
    private static String percent(double fraction) {
        return String.format(java.util.Locale.ROOT, "%.2f", 100 * fraction);
    }
}

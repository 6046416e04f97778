package io.facestream.eval.report;

import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.NormSample;
import io.facestream.eval.ijbs.NormSizeCorrelation;
import io.facestream.eval.ijbs.ProtocolOutcome;
import io.facestream.eval.ijbs.metrics.IdentificationResult;
import io.facestream.eval.ijbs.metrics.OpenSetGallery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A self-contained HTML page for an IJB-S run: the metrics table, a CMC and a TPIR-vs-FPIR chart per protocol
 * (inline SVG, no script), and the norm-vs-face-size scatter when face sizes are known.
 */
public final class IjbsHtmlReport {
    /** CMC drawn up to this rank (or the gallery size when smaller). */
    static final int CMC_RANKS = 50;

    private IjbsHtmlReport() {}

    public static void write(IjbsReport report, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, render(report), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String render(IjbsReport report) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>IJB-S evaluation</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
                .append(
                        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}")
                .append("section{margin-top:24px}.charts{display:flex;flex-wrap:wrap;gap:12px}.note{color:#666}")
                .append("</style></head><body>");
        h.append("<h1>IJB-S evaluation</h1>");
        h.append(p(
                "Faces: %s. %,d faces read, %,d belong to no protocol template.",
                SvgChart.esc(report.source()), report.facesRead(), report.facesUnused()));
        h.append(
                "<p class=\"note\">Metrics as defined in AdaFace's IJB-S evaluation: templates fuse all aligned frames of "
                        + "a subject in a video (norm-weighted mean, unit length, empty template = zero vector); Rank-k is closed "
                        + "set over G1 &#8746; G2; TPIR@FPIR is computed per gallery and averaged. Percentages.</p>");
        h.append(
                "<table><tr><th>Protocol</th><th>Rank-1</th><th>Rank-5</th><th>Rank-10</th><th>TPIR@FPIR=1%</th>"
                        + "<th>TPIR@FPIR=10%</th><th>Probes (mated)</th><th>Gallery G1+G2</th><th>Empty probe / gallery templates</th></tr>");
        for (ProtocolOutcome o : report.protocols()) {
            IdentificationResult r = o.result();
            h.append(f(
                    "<tr><td>%s</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
                            + "<td>%,d (%,d)</td><td>%,d+%,d</td><td>%,d / %,d</td></tr>",
                    o.protocol().title(),
                    100 * r.rank(1),
                    100 * r.rank(5),
                    100 * r.rank(10),
                    100 * r.tpirAtFpir(0.01),
                    100 * r.tpirAtFpir(0.1),
                    r.probes(),
                    r.matedProbes(),
                    r.g1Size(),
                    r.galleryTemplates() - r.g1Size(),
                    o.emptyProbeTemplates(),
                    o.emptyGalleryTemplates()));
        }
        h.append("</table>");
        for (ProtocolOutcome o : report.protocols()) {
            h.append("<section><h2>").append(o.protocol().title()).append("</h2><div class=\"charts\">");
            h.append(cmc(o)).append(tpir(o)).append("</div></section>");
        }
        h.append("<section><h2>Feature norm vs face size</h2>");
        if (report.normSamples().isEmpty()) {
            h.append(
                    "<p class=\"note\">Not shown: face sizes are unknown. They come from FRAME, FACE_WIDTH and FACE_HEIGHT "
                            + "columns of cs6_metadata.csv, or from a feature source that measures faces.</p>");
        } else {
            h.append(norms(report));
            NormSizeCorrelation c = report.normVsSize();
            h.append(p(
                    "Spearman rank correlation between raw feature norm and face size over all %,d video faces of known size: %s.",
                    c.samples(), c.defined() ? f("ρ = %.3f", c.spearman()) : "undefined"));
        }
        return h.append("</section></body></html>\n").toString();
    }

    private static String cmc(ProtocolOutcome o) {
        IdentificationResult r = o.result();
        int ranks = Math.min(CMC_RANKS, r.galleryTemplates());
        double[] curve = r.cmc(ranks);
        double[][] points = new double[ranks][];
        for (int k = 0; k < ranks; k++) {
            points[k] = new double[] {k + 1, curve[k]};
        }
        return new SvgChart("CMC, " + o.protocol().title(), "rank", "identification rate", false)
                .range(1, Math.max(2, ranks), 0, 1)
                .line("G1 ∪ G2", points)
                .render();
    }

    private static String tpir(ProtocolOutcome o) {
        SvgChart chart = new SvgChart("TPIR vs FPIR, " + o.protocol().title(), "FPIR (log)", "TPIR", true);
        double min = 1;
        for (OpenSetGallery g :
                new OpenSetGallery[] {o.result().g1(), o.result().g2()}) {
            // FPIR = 0 (n_fa = 0, τ just above the best non-mate) has no place on a log axis, so the curve starts at
            // 1/N.
            double[][] points = Arrays.stream(g.curve()).filter(p -> p[0] > 0).toArray(double[][]::new);
            if (points.length > 0) {
                min = Math.min(min, points[0][0]);
                chart.line(g.name() + " (" + g.nonMated() + " non-mated)", points);
            }
        }
        return chart.range(Math.min(min, 0.01), 1, 0, 1).render();
    }

    private static String norms(IjbsReport report) {
        double[][] points = report.normSamples().stream()
                .map(s -> new double[] {s.sidePx(), s.norm()})
                .toArray(double[][]::new);
        double maxSide = report.normSamples().stream()
                .mapToDouble(NormSample::sidePx)
                .max()
                .orElse(1);
        double maxNorm = report.normSamples().stream()
                .mapToDouble(NormSample::norm)
                .max()
                .orElse(1);
        return new SvgChart(
                        "Raw feature norm vs face size (" + points.length + " video faces)",
                        "face size (px, max of box sides)",
                        "feature norm",
                        false)
                .range(0, niceCeil(maxSide), 0, niceCeil(maxNorm))
                .scatter("video faces", points)
                .render();
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double step = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.ceil(v / step) * step;
    }

    private static String p(String format, Object... args) {
        return "<p>" + f(format, args) + "</p>";
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}

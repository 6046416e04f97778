package io.facestream.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small inline-SVG line/scatter chart, so that the HTML report needs no script and no network.
 * Axes are linear, or base-10 logarithmic for x (FPIR spans decades).
 */
final class SvgChart {
    private static final int W = 460;
    private static final int H = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private double xMin;
    private double xMax;
    private double yMin;
    private double yMax;
    private final List<Series> series = new ArrayList<>();

    private record Series(String name, double[][] points, boolean scatter) {}

    SvgChart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    SvgChart range(double xMin, double xMax, double yMin, double yMax) {
        this.xMin = xMin;
        this.xMax = xMax;
        this.yMin = yMin;
        this.yMax = yMax;
        return this;
    }

    SvgChart line(String name, double[][] points) {
        series.add(new Series(name, points, false));
        return this;
    }

    SvgChart scatter(String name, double[][] points) {
        series.add(new Series(name, points, true));
        return this;
    }

    String render() {
        StringBuilder s = new StringBuilder();
        s.append(f(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">",
                W, H, W, H));
        s.append(f("<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>", LEFT, esc(title)));
        s.append(f(
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>",
                LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
        for (double t : xTicks()) {
            double x = px(t);
            s.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", x, TOP, x, H - BOTTOM));
            s.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, H - BOTTOM + 14, tick(t)));
        }
        for (int i = 0; i <= 5; i++) {
            double t = yMin + (yMax - yMin) * i / 5;
            double y = py(t);
            s.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, y, W - RIGHT, y));
            s.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 4, y + 4, tick(t)));
        }
        s.append(f(
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                (LEFT + W - RIGHT) / 2, H - 8, esc(xLabel)));
        s.append(f(
                "<text transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>",
                (TOP + H - BOTTOM) / 2, esc(yLabel)));
        for (int i = 0; i < series.size(); i++) {
            Series se = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            if (se.scatter()) {
                for (double[] p : se.points()) {
                    s.append(f(
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%s\" fill-opacity=\"0.5\"/>",
                            px(p[0]), py(p[1]), colour));
                }
            } else {
                StringBuilder pts = new StringBuilder();
                for (double[] p : se.points()) {
                    pts.append(f("%.1f,%.1f ", px(p[0]), py(p[1])));
                }
                s.append(f(
                        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"/>",
                        colour, pts.toString().strip()));
            }
            int ly = TOP + 14 + 14 * i;
            s.append(f(
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                    W - RIGHT - 130, ly - 9, colour));
            s.append(f("<text x=\"%d\" y=\"%d\">%s</text>", W - RIGHT - 116, ly, esc(se.name())));
        }
        return s.append("</svg>").toString();
    }

    private List<Double> xTicks() {
        List<Double> ticks = new ArrayList<>();
        if (logX) {
            for (double t = Math.pow(10, Math.ceil(Math.log10(xMin))); t <= xMax * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(xMin + (xMax - xMin) * i / 5);
            }
        }
        return ticks;
    }

    private double px(double x) {
        double u = logX
                ? (Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))
                : (x - xMin) / (xMax - xMin);
        return LEFT + u * (W - LEFT - RIGHT);
    }

    private double py(double y) {
        return H - BOTTOM - (y - yMin) / (yMax - yMin) * (H - TOP - BOTTOM);
    }

    private static String tick(double t) {
        if (t != 0 && Math.abs(t) < 0.01) {
            return f("%.0e", t);
        }
        return t == Math.rint(t) ? f("%.0f", t) : f("%.2f", t);
    }

    static String esc(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}

package io.facestream.ops.quality;

import java.util.Locale;
import java.util.Map;

/** Draws a norm histogram with threshold markers as a self-contained SVG (no script, opens in any browser). */
final class HistogramSvg {
    private static final int W = 720;
    private static final int H = 360;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] MARKER_COLOURS = {"#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"};

    private HistogramSvg() {}

    /** @param markers threshold label → norm value, drawn as vertical lines */
    static String draw(String title, NormSample sample, int bins, Map<String, Double> markers) {
        double min = Math.floor(sample.quantile(0));
        double max = Math.ceil(sample.quantile(1));
        if (max <= min) {
            max = min + 1;
        }
        int[] h = sample.histogram(bins, min, max);
        int peak = 1;
        for (int c : h) {
            peak = Math.max(peak, c);
        }
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(f(
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n",
                W, H));
        svg.append(f("<rect width='%d' height='%d' fill='white'/>%n", W, H));
        svg.append(f("<text x='%d' y='22' font-size='15'>%s</text>%n", LEFT, esc(title)));
        for (int i = 0; i < bins; i++) {
            double x = LEFT + i * plotW / bins;
            double bh = h[i] / (double) peak * plotH;
            svg.append(f(
                    "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#1f77b4'/>%n",
                    x, TOP + plotH - bh, Math.max(1, plotW / bins - 1), bh));
        }
        svg.append(f(
                "<line x1='%d' y1='%.1f' x2='%.1f' y2='%.1f' stroke='black'/>%n",
                LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        svg.append(f("<line x1='%d' y1='%d' x2='%d' y2='%.1f' stroke='black'/>%n", LEFT, TOP, LEFT, TOP + plotH));
        for (int t = 0; t <= 5; t++) {
            double v = min + t * (max - min) / 5;
            double x = LEFT + t * plotW / 5;
            svg.append(f("<text x='%.1f' y='%.1f' text-anchor='middle'>%.1f</text>%n", x, TOP + plotH + 16, v));
            svg.append(f(
                    "<text x='%d' y='%.1f' text-anchor='end'>%d</text>%n",
                    LEFT - 6, TOP + plotH - t * plotH / 5 + 4, Math.round(t * peak / 5.0)));
        }
        svg.append(f(
                "<text x='%.1f' y='%d' text-anchor='middle'>feature norm (%d faces)</text>%n",
                LEFT + plotW / 2, H - 10, sample.size()));
        int i = 0;
        for (Map.Entry<String, Double> m : markers.entrySet()) {
            double x = LEFT + (m.getValue() - min) / (max - min) * plotW;
            String colour = MARKER_COLOURS[i % MARKER_COLOURS.length];
            svg.append(f(
                    "<line x1='%.1f' y1='%d' x2='%.1f' y2='%.1f' stroke='%s' stroke-width='2' stroke-dasharray='5,3'/>%n",
                    x, TOP, x, TOP + plotH, colour));
            svg.append(f(
                    "<text x='%.1f' y='%d' fill='%s'>%s %.1f</text>%n",
                    x + 4, TOP + 14 + 14 * i, colour, esc(m.getKey()), m.getValue()));
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

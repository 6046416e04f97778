package io.facestream.eval.ijbs.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scores one probe set against a gallery pair the way adaface.md §5c defines it: the score row of each probe runs
 * over the concatenated gallery [G1 | G2] (closed set), and its G1 and G2 parts separately give the open-set outcome
 * per gallery.
 */
public final class Identification {
    private Identification() {}

    /**
     * @param scores        probe rows over the {@code galleryLabels.length} columns, G1 first
     * @param probeLabels   subject of each probe
     * @param galleryLabels subject of each gallery column; a subject may appear at most once
     * @param g1Size        number of leading columns that belong to G1
     */
    public static IdentificationResult evaluate(ScoreRows scores, int[] probeLabels, int[] galleryLabels, int g1Size) {
        int columns = galleryLabels.length;
        if (g1Size < 1 || g1Size >= columns) {
            throw new IllegalArgumentException("G1 must hold between 1 and " + (columns - 1) + " of " + columns
                    + " gallery templates, got " + g1Size);
        }
        Map<Integer, Integer> mateColumn = new HashMap<>();
        for (int c = 0; c < columns; c++) {
            Integer previous = mateColumn.putIfAbsent(galleryLabels[c], c);
            if (previous != null) {
                throw new IllegalArgumentException("subject " + galleryLabels[c] + " appears in gallery columns "
                        + previous + " and " + c + "; a probe must have at most one mate in G1 ∪ G2");
            }
        }
        ProbeOutcome[] outcomes = new ProbeOutcome[probeLabels.length];
        // Rows are independent; the rank rule does not depend on evaluation order, so this is deterministic.
        IntStream.range(0, probeLabels.length).parallel().forEach(p -> {
            double[] row = scores.row(p);
            if (row.length != columns) {
                throw new IllegalArgumentException(
                        "score row " + p + " has " + row.length + " columns, expected " + columns);
            }
            Integer mate = mateColumn.get(probeLabels[p]);
            outcomes[p] = outcome(row, mate == null ? -1 : mate, g1Size);
        });
        int[] ranks = Arrays.stream(outcomes)
                .filter(o -> o.closedRank() > 0)
                .mapToInt(ProbeOutcome::closedRank)
                .toArray();
        if (ranks.length == 0) {
            throw new IllegalArgumentException("no probe has a mate in G1 ∪ G2: closed-set ranks are undefined");
        }
        List<GalleryOutcome> first = new ArrayList<>();
        List<GalleryOutcome> second = new ArrayList<>();
        for (ProbeOutcome o : outcomes) {
            first.add(o.g1());
            second.add(o.g2());
        }
        return new IdentificationResult(
                probeLabels.length,
                columns,
                g1Size,
                ranks,
                new OpenSetGallery("G1", first),
                new OpenSetGallery("G2", second));
    }

    private record ProbeOutcome(int closedRank, GalleryOutcome g1, GalleryOutcome g2) {}

    private static ProbeOutcome outcome(double[] row, int mate, int g1Size) {
        int closedRank = mate < 0 ? 0 : Ranking.rank(row, 0, row.length, mate);
        return new ProbeOutcome(closedRank, side(row, mate, 0, g1Size), side(row, mate, g1Size, row.length));
    }

    private static GalleryOutcome side(double[] row, int mate, int from, int to) {
        if (mate >= from && mate < to) {
            return GalleryOutcome.mated(Ranking.rank(row, from, to, mate) == 1, row[mate]);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = from; c < to; c++) {
            max = Math.max(max, row[c]);
        }
        return GalleryOutcome.nonMated(max);
    }
}

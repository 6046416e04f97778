package io.facestream.eval.ijbs.metrics;

/**
 * Rank of a gallery column in a probe's score row, sorted by descending score.
 *
 * <p>The reference sorts with NumPy {@code argsort} (ascending) and reverses it; tie order is implementation-defined
 * there (adaface.md §5c, §8). We fix it to what a <em>stable</em> ascending sort reversed gives, which is also what
 * NumPy's introsort produces on short rows: among equal scores, the column further right ranks first. Ties only
 * happen in practice with empty (zero) templates, whose scores are all exactly 0.
 */
public final class Ranking {
    private Ranking() {}

    /** 1-based rank of column {@code target} among columns {@code [from, to)} of {@code row}. */
    public static int rank(double[] row, int from, int to, int target) {
        if (target < from || target >= to) {
            throw new IllegalArgumentException("column " + target + " is outside [" + from + ", " + to + ")");
        }
        double t = row[target];
        int ahead = 0;
        for (int c = from; c < to; c++) {
            if (row[c] > t || (row[c] == t && c > target)) {
                ahead++;
            }
        }
        return ahead + 1;
    }

    /** True when {@code a} sorts before {@code b} (descending score, ties: right column first). */
    public static boolean before(double[] row, int a, int b) {
        return row[a] > row[b] || (row[a] == row[b] && a > b);
    }
}

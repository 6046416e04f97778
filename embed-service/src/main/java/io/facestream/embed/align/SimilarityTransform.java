package io.facestream.embed.align;

import io.facestream.embed.detect.Point;
import java.util.List;

/**
 * MATLAB {@code cp2tform(src, dst, 'similarity')} as ported in AdaFace's {@code matlab_cp2tform.py}: the similarity
 * (rotation, uniform scale, translation, optionally a reflection) mapping detected landmarks onto the template.
 *
 * <p>It is fitted in the inverse direction (template → detection) by least squares, which minimises error in the
 * source image rather than in the template (Umeyama does the latter); the reflective candidate wins only when its
 * residual is smaller. We port it literally, including the quirk that both residuals are measured against the
 * x-negated template, so our crops match the ones AdaFace models were evaluated on.
 */
public final class SimilarityTransform {
    private SimilarityTransform() {}

    /** The 2×3 affine matrix {@code [[a, b, c], [d, e, f]]} (OpenCV's warpAffine convention, src → dst). */
    public static double[][] estimate(List<Point> src, List<Point> dst) {
        if (src.size() != dst.size() || src.size() < 2) {
            throw new IllegalArgumentException(
                    "similarity transform needs matching point lists of at least 2 points, got " + src.size() + " and "
                            + dst.size());
        }
        int n = src.size();
        double[][] uv = new double[n][2];
        double[][] xy = new double[n][2];
        for (int i = 0; i < n; i++) {
            // float32 inputs, float64 arithmetic, like the numpy original.
            uv[i][0] = src.get(i).x();
            uv[i][1] = src.get(i).y();
            xy[i][0] = dst.get(i).x();
            xy[i][1] = dst.get(i).y();
        }
        double[][] t1 = nonReflective(uv, xy);
        for (double[] p : xy) { // the original negates dst x in place (aliasing), before both residuals
            p[0] = -p[0];
        }
        double[][] t2r = nonReflective(uv, xy);
        double[][] t2 = new double[3][3];
        for (int r = 0; r < 3; r++) { // t2 = t2r · diag(-1, 1, 1)
            t2[r][0] = -t2r[r][0];
            t2[r][1] = t2r[r][1];
            t2[r][2] = t2r[r][2];
        }
        double[][] t = residual(t1, uv, xy) <= residual(t2, uv, xy) ? t1 : t2;
        // Row-vector convention [x y 1]·T → OpenCV's column form M = T[:, 0:2]ᵀ.
        return new double[][] {{t[0][0], t[1][0], t[2][0]}, {t[0][1], t[1][1], t[2][1]}};
    }

    /** Applies a 2×3 matrix to a point. */
    public static Point apply(double[][] m, Point p) {
        return new Point((float) (m[0][0] * p.x() + m[0][1] * p.y() + m[0][2]), (float)
                (m[1][0] * p.x() + m[1][1] * p.y() + m[1][2]));
    }

    /** T (3×3, row-vector convention) with uv·T ≈ xy, fitted as xy·Tinv = uv. */
    private static double[][] nonReflective(double[][] uv, double[][] xy) {
        int n = uv.length;
        // Rows [x, y, 1, 0]·r = u and [y, -x, 0, 1]·r = v; normal equations AᵀA r = Aᵀb.
        double[][] ata = new double[4][4];
        double[] atb = new double[4];
        for (int i = 0; i < n; i++) {
            double x = xy[i][0];
            double y = xy[i][1];
            accumulate(ata, atb, new double[] {x, y, 1, 0}, uv[i][0]);
            accumulate(ata, atb, new double[] {y, -x, 0, 1}, uv[i][1]);
        }
        double[] r = solve(ata, atb);
        double a = r[0];
        double b = r[1];
        double tx = r[2];
        double ty = r[3];
        if (a * a + b * b < 1e-12) {
            // Zero scale: the detected points coincide (or nearly), no similarity maps them onto the template.
            throw new IllegalArgumentException(
                    "landmarks are degenerate (all points coincide): cannot align this face");
        }
        double[][] tinv = {{a, -b, 0}, {b, a, 0}, {tx, ty, 1}};
        double[][] t = invert3(tinv);
        t[0][2] = 0;
        t[1][2] = 0;
        t[2][2] = 1;
        return t;
    }

    private static void accumulate(double[][] ata, double[] atb, double[] row, double rhs) {
        for (int i = 0; i < 4; i++) {
            atb[i] += row[i] * rhs;
            for (int j = 0; j < 4; j++) {
                ata[i][j] += row[i] * row[j];
            }
        }
    }

    /** Gaussian elimination with partial pivoting; a (near) singular system means the points are degenerate. */
    private static double[] solve(double[][] m, double[] v) {
        int n = v.length;
        double[][] a = new double[n][n + 1];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n] = v[i];
            for (int j = 0; j < n; j++) {
                scale = Math.max(scale, Math.abs(m[i][j]));
            }
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            if (Math.abs(a[p][c]) <= 1e-12 * Math.max(scale, 1e-300)) {
                throw new IllegalArgumentException("landmarks are degenerate (all points coincide): the similarity fit "
                        + "needs rank 4, cannot align this face");
            }
            double[] tmp = a[c];
            a[c] = a[p];
            a[p] = tmp;
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = a[r][c] / a[c][c];
                    for (int k = c; k <= n; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a[i][n] / a[i][i];
        }
        return x;
    }

    private static double[][] invert3(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        if (det == 0) {
            throw new IllegalArgumentException(
                    "landmarks give a zero-scale similarity transform, cannot align this face");
        }
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int i1 = (j + 1) % 3;
                int i2 = (j + 2) % 3;
                int j1 = (i + 1) % 3;
                int j2 = (i + 2) % 3;
                r[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
            }
        }
        return r;
    }

    private static double residual(double[][] t, double[][] uv, double[][] xy) {
        double sum = 0;
        for (int i = 0; i < uv.length; i++) {
            double x = uv[i][0] * t[0][0] + uv[i][1] * t[1][0] + t[2][0];
            double y = uv[i][0] * t[0][1] + uv[i][1] * t[1][1] + t[2][1];
            sum += (x - xy[i][0]) * (x - xy[i][0]) + (y - xy[i][1]) * (y - xy[i][1]);
        }
        return Math.sqrt(sum);
    }
}

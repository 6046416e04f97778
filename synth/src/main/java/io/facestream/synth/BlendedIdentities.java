package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.addWeighted;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * New identities made from real donor faces (all aligned to the same canonical eyes): identity {@code i} is a
 * cross-dissolve of a primary donor (weight 0.6–0.75) and a secondary one, then a per-identity geometric warp of
 * eyes, nose and mouth by up to a few percent of the face. Real faces are the base because a pretrained face model
 * does not recognise drawn cartoon faces as faces at all; blending and warping let a few dozen donors yield hundreds
 * of distinct people. Every donor is a primary before any is reused, so with at least as many donors as subjects no
 * two identities share their main face. Given a {@link FaceLikeness}, an identity whose face the model finds closer
 * than {@link #MAX_LIKENESS} to an earlier identity is drawn again (another secondary donor, weight and warp; up to
 * {@link #DRAWS} draws, keeping the least alike), so that the people of a data set are different people to the model.
 */
public final class BlendedIdentities implements IdentitySource {
    /** Cosine between two identities above which the later one is drawn again. */
    public static final double MAX_LIKENESS = 0.40;
    /** Draws per identity before the least alike is kept. */
    public static final int DRAWS = 64;

    private final List<DonorFace> donors;
    private final FaceLikeness likeness;

    public BlendedIdentities(List<DonorFace> donors) {
        this(donors, null);
    }

    /** With {@code likeness} non-null, identities are kept apart as the model sees them (see the class comment). */
    public BlendedIdentities(List<DonorFace> donors, FaceLikeness likeness) {
        this.likeness = likeness;
        if (donors.size() < 2) {
            throw new IllegalArgumentException(
                    "blended identities need at least 2 donor faces, found " + donors.size());
        }
        this.donors = List.copyOf(donors);
    }

    @Override
    public List<Identity> identities(int count, long seed) {
        int d = donors.size();
        SplittableRandom order = new SplittableRandom(seed ^ 0x1D3A5L);
        int[] primary = Permutation.of(d, order);
        List<Identity> out = new ArrayList<>(count);
        List<float[]> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int p = primary[i % d];
            Drawn best = null;
            for (int draw = 0; draw < (likeness == null ? 1 : DRAWS); draw++) {
                // draw 0 is the identity as drawn without a likeness check, so such data sets stay as they were
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i + draw * 0x9E3779B97F4A7C15L);
                Drawn c = draw(i, p, d, rnd);
                if (likeness != null) {
                    float[] e = likeness.embed(
                            c.identity.looks().get(0).face(),
                            c.identity.looks().get(0).landmarks());
                    double closest = -1;
                    for (float[] other : seen) {
                        closest = Math.max(closest, FaceLikeness.cosine(e, other));
                    }
                    c = new Drawn(c.identity, e, closest);
                }
                if (best == null || c.closest < best.closest) {
                    if (best != null) {
                        best.identity.looks().get(0).face().close();
                    }
                    best = c;
                } else {
                    c.identity.looks().get(0).face().close();
                }
                if (best.closest <= MAX_LIKENESS) {
                    break;
                }
            }
            out.add(best.identity);
            if (best.embedding != null) {
                seen.add(best.embedding);
            }
        }
        return out;
    }

    private record Drawn(Identity identity, float[] embedding, double closest) {}

    private Drawn draw(int i, int p, int d, SplittableRandom rnd) {
        // Later rounds over the donors pair them differently, so reused primaries still give new people.
        int q = (p + 1 + (int) ((i / d) * 7L + rnd.nextInt(d - 1)) % (d - 1)) % d;
        double wp = 0.6 + 0.15 * rnd.nextDouble();
        Mat blend = new Mat();
        addWeighted(donors.get(p).face(), wp, donors.get(q).face(), 1 - wp, 0, blend);
        double[] from = Canonical.landmarks();
        double[] to = reshape(from, rnd);
        Mat shaped = ShapeWarp.apply(blend, from, to);
        blend.close();
        String recipe = String.format(
                java.util.Locale.ROOT,
                "%.2f·%s + %.2f·%s, shape-warped",
                wp,
                donors.get(p).source(),
                1 - wp,
                donors.get(q).source());
        return new Drawn(new Identity(i + 1, recipe, List.of(new Look(shaped, to))), null, -1);
    }

    /** Moves the template landmarks: eye spacing ±6%, eye height, nose length, mouth width and height. */
    private static double[] reshape(double[] t, SplittableRandom rnd) {
        double[] o = t.clone();
        double cx = (t[0] + t[2]) / 2;
        double eyeSpread = 1 + 0.12 * (rnd.nextDouble() - 0.5);
        double eyeDy = 3.0 * (rnd.nextDouble() - 0.5);
        double noseDy = 5.0 * (rnd.nextDouble() - 0.5);
        double mouthSpread = 1 + 0.2 * (rnd.nextDouble() - 0.5);
        double mouthDy = 5.0 * (rnd.nextDouble() - 0.5);
        o[0] = cx + (t[0] - cx) * eyeSpread;
        o[2] = cx + (t[2] - cx) * eyeSpread;
        o[1] += eyeDy;
        o[3] += eyeDy;
        o[5] += noseDy;
        double mx = (t[6] + t[8]) / 2;
        o[6] = mx + (t[6] - mx) * mouthSpread;
        o[8] = mx + (t[8] - mx) * mouthSpread;
        o[7] += mouthDy;
        o[9] += mouthDy;
        return o;
    }

    @Override
    public String describe() {
        return "blends of " + donors.size() + " donor faces"
                + (likeness == null
                        ? ""
                        : ", kept below cosine " + MAX_LIKENESS + " of each other by " + likeness.describe());
    }
}

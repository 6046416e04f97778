package io.facestream.match.corrections;

import io.facestream.core.events.Match;
import io.facestream.core.metrics.Metrics;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.OpenSetThreshold;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The gallery search of the matching topology with operators' rejections applied ({@link NegativeRule}): a candidate
 * whose subject has a negative exemplar closer to the track than the subject itself, by at least the margin, is left
 * out of the candidates. The open-set decision then takes the next candidate (HIT if it clears the threshold) or
 * none (UNKNOWN), so a decision's best candidate is always the subject it is a HIT for.
 */
public final class CorrectedSearch implements GallerySearch {
    private final GallerySearch gallery;
    private final Corrections corrections;
    private final double margin;
    private final Counter vetoes;

    public CorrectedSearch(GallerySearch gallery, Corrections corrections, double margin) {
        if (!(margin >= 0) || margin > 2) {
            throw new IllegalArgumentException("match.corrections.negative-margin must be in [0, 2], got " + margin);
        }
        this.gallery = gallery;
        this.corrections = corrections;
        this.margin = margin;
        this.vetoes = Counter.builder("facestream.match.corrections.vetoes")
                .description("candidates left out of a decision because of an operator's rejection")
                .register(Metrics.registry());
    }

    @Override
    public List<Match.Candidate> search(String galleryName, String model, float[] unitQuery, int k) {
        List<Match.Candidate> found = gallery.search(galleryName, model, unitQuery, k);
        if (corrections.isEmpty()) {
            return found;
        }
        List<Match.Candidate> kept = new ArrayList<>(found.size());
        for (Match.Candidate c : found) {
            if (vetoed(galleryName, model, unitQuery, c)) {
                vetoes.increment();
            } else {
                kept.add(c);
            }
        }
        return kept;
    }

    /** Whether the rule leaves {@code c} out for a track with this unit template. */
    boolean vetoed(String galleryName, String model, float[] unitQuery, Match.Candidate c) {
        double nearest = Double.NEGATIVE_INFINITY;
        for (Corrections.Negative n : corrections.negatives(galleryName, c.subjectId(), model)) {
            nearest = Math.max(nearest, NegativeRule.cosine(unitQuery, n.unit()));
        }
        return nearest > Double.NEGATIVE_INFINITY && NegativeRule.vetoes(c.score(), nearest, margin);
    }

    @Override
    public OpenSetThreshold threshold(String galleryName, String model) {
        return gallery.threshold(galleryName, model);
    }

    @Override
    public OptionalInt dimension(String model) {
        return gallery.dimension(model);
    }
}

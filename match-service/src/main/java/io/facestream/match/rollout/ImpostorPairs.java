package io.facestream.match.rollout;

import io.facestream.core.vector.Vectors;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.template.TemplatePlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Scores of template pairs of different subjects of one gallery, under two model versions: the same pairs, in the
 * same order, in both spaces. Templates are what the gallery searches (one per medium, or one fused per BOOKING
 * subject); only templates with vectors of both versions take part. Large galleries are sampled evenly in key
 * order, so a roll-out costs at most {@code maxTemplates²/2} dot products per version.
 */
public record ImpostorPairs(double[] from, double[] to) {

    public int size() {
        return from.length;
    }

    public static ImpostorPairs of(
            GalleryIndex index, String gallery, ModelVersion from, ModelVersion to, int maxTemplates) {
        GalleryKind kind = index.kindOf(gallery)
                .orElseThrow(() -> new IllegalArgumentException("gallery '" + gallery + "' does not exist"));
        List<GalleryKey.OfSubject> subjects = new ArrayList<>();
        for (GalleryKey k : index.keysBelow(new GalleryKey.OfGallery(gallery))) {
            if (k instanceof GalleryKey.OfSubject s) {
                subjects.add(s);
            }
        }
        subjects.sort(Comparator.comparing(GalleryKey::text));
        List<String> owner = new ArrayList<>();
        List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
        for (GalleryKey.OfSubject s : subjects) {
            List<Medium> media = index.mediaOf(s);
            List<TemplatePlan.Template> templates = TemplatePlan.perMedium(kind)
                    ? media.stream().map(TemplatePlan::forMedium).toList()
                    : List.of(TemplatePlan.forSubject(media));
            for (TemplatePlan.Template t : templates) {
                float[] va = t.vectors().get(from), vb = t.vectors().get(to);
                if (va != null && vb != null) {
                    owner.add(s.subject());
                    a.add(va);
                    b.add(vb);
                }
            }
        }
        int n = owner.size(), keep = Math.min(n, maxTemplates);
        int[] picked = new int[keep];
        for (int i = 0; i < keep; i++) {
            picked[i] = (int) ((long) i * n / keep);
        }
        double[] sa = new double[keep * (keep - 1) / 2 + 1], sb = new double[sa.length];
        int pairs = 0;
        for (int i = 0; i < keep; i++) {
            for (int j = i + 1; j < keep; j++) {
                int p = picked[i], q = picked[j];
                if (!owner.get(p).equals(owner.get(q))) {
                    sa[pairs] = Vectors.dot(a.get(p), a.get(q));
                    sb[pairs] = Vectors.dot(b.get(p), b.get(q));
                    pairs++;
                }
            }
        }
        return new ImpostorPairs(Arrays.copyOf(sa, pairs), Arrays.copyOf(sb, pairs));
    }
}

package io.facestream.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Who is enrolled where and who walks through which video, as in IJB-S: enrolled subjects split into galleries G1
 * and G2 (disjoint, for the open-set protocol); about a fifth of the subjects are never enrolled and only appear in
 * videos (non-mated probes). The last third of the videos are "gallery videos": each enrolled subject's first
 * appearance there is its surveillance-to-surveillance gallery template, and they are not Sur-to-Sur probes.
 *
 * @param enrolled  per subject (index subject−1): true when in G1 or G2
 * @param gallery   per subject: 1 or 2 (0 = not enrolled)
 * @param cast      per video: the subjects in it
 * @param galleryVideo per video: true for a Sur-to-Sur gallery video
 */
public record Casting(boolean[] enrolled, int[] gallery, List<List<Integer>> cast, boolean[] galleryVideo) {

    public static Casting plan(int subjects, int videos, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0xCA57L);
        int[] order = Permutation.of(subjects, rnd);
        int notEnrolled = subjects >= 3 ? Math.max(1, Math.round(subjects * 0.2f)) : 0;
        boolean[] enrolled = new boolean[subjects];
        int[] gallery = new int[subjects];
        List<Integer> enrolledList = new ArrayList<>();
        for (int i = 0; i < subjects; i++) {
            int s = order[i];
            if (i >= notEnrolled) {
                enrolled[s] = true;
                gallery[s] = 1 + (enrolledList.size() % 2);
                enrolledList.add(s + 1);
            }
        }
        int galleryVideos = videos >= 2 ? Math.max(1, Math.round(videos / 3f)) : 0;
        boolean[] isGallery = new boolean[videos];
        List<List<Integer>> cast = new ArrayList<>();
        int nextAny = 0, nextEnrolled = 0;
        for (int v = 0; v < videos; v++) {
            isGallery[v] = v >= videos - galleryVideos;
            int people = Math.min(subjects, 2 + rnd.nextInt(3));
            List<Integer> in = new ArrayList<>();
            // Round-robin over a shuffled list so every subject appears before anyone appears twice.
            while (in.size() < people) {
                int s;
                if (isGallery[v] && !enrolledList.isEmpty()) {
                    if (in.size() >= enrolledList.size()) {
                        break;
                    }
                    s = enrolledList.get(nextEnrolled++ % enrolledList.size());
                } else {
                    s = order[nextAny++ % subjects] + 1;
                }
                if (!in.contains(s)) {
                    in.add(s);
                }
            }
            cast.add(List.copyOf(in));
        }
        return new Casting(enrolled, gallery, List.copyOf(cast), isGallery);
    }

    public boolean isEnrolled(int subject) {
        return enrolled[subject - 1];
    }

    public int galleryOf(int subject) {
        return gallery[subject - 1];
    }
}

package io.facestream.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Donor faces grouped by person. The npm sample images show some people several times (a face-matching demo grid
 * holds the same person at different ages and poses); blending two of those faces gives an "identity" that is really
 * that person, and two identities made from the same person are one person to any good face model. Faces whose
 * embeddings have cosine above {@link #SAME_PERSON} are joined (transitively, union-find); one face of each group
 * serves as a donor.
 */
public final class DonorGroups {
    /**
     * Cosine above which two donor faces count as the same person: well above what different people reach with the
     * default model (MobileFaceNet impostor pairs rarely pass 0.5) and below what two photos of one person reach.
     */
    public static final double SAME_PERSON = 0.60;

    private final List<List<DonorFace>> groups;

    private DonorGroups(List<List<DonorFace>> groups) {
        this.groups = groups;
    }

    public static DonorGroups of(List<DonorFace> donors, FaceLikeness likeness) {
        int n = donors.size();
        float[][] e = new float[n][];
        for (int i = 0; i < n; i++) {
            e[i] = likeness.embed(donors.get(i));
        }
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (FaceLikeness.cosine(e[i], e[j]) > SAME_PERSON) {
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        Map<Integer, List<DonorFace>> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byRoot.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(donors.get(i));
        }
        return new DonorGroups(List.copyOf(byRoot.values()));
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** The groups, in the order of their first face. */
    public List<List<DonorFace>> groups() {
        return groups;
    }

    /** One face per person: the first of each group. */
    public List<DonorFace> onePerPerson() {
        return groups.stream().map(g -> g.get(0)).toList();
    }

    public int faces() {
        return groups.stream().mapToInt(List::size).sum();
    }
}

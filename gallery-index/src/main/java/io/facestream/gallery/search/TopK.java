package io.facestream.gallery.search;

import java.util.Arrays;

/** The k best (doc, score) pairs seen so far, in a min-heap on score; ties keep the lower doc id. */
final class TopK {
    private final int k;
    private final int[] docs;
    private final float[] scores;
    private int size;

    TopK(int k) {
        this.k = k;
        this.docs = new int[k];
        this.scores = new float[k];
    }

    /** The score a newcomer has to beat once the heap is full. */
    float floor() {
        return size < k ? Float.NEGATIVE_INFINITY : scores[0];
    }

    void offer(int doc, float score) {
        if (size < k) {
            docs[size] = doc;
            scores[size] = score;
            siftUp(size++);
        } else if (score > scores[0]) {
            docs[0] = doc;
            scores[0] = score;
            siftDown(0);
        }
    }

    private boolean less(int a, int b) {
        return scores[a] < scores[b] || (scores[a] == scores[b] && docs[a] > docs[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!less(i, p)) {
                break;
            }
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && less(l, m)) {
                m = l;
            }
            if (r < size && less(r, m)) {
                m = r;
            }
            if (m == i) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        int d = docs[a];
        docs[a] = docs[b];
        docs[b] = d;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }

    /** Global doc ids, best first. */
    ScoredDoc[] sorted() {
        ScoredDoc[] out = new ScoredDoc[size];
        for (int i = 0; i < size; i++) {
            out[i] = new ScoredDoc(docs[i], scores[i]);
        }
        Arrays.sort(
                out,
                (a, b) -> a.score() != b.score()
                        ? Float.compare(b.score(), a.score())
                        : Integer.compare(a.doc(), b.doc()));
        return out;
    }

    record ScoredDoc(int doc, float score) {}
}

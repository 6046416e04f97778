package io.facestream.eval.ijbs;

import java.util.function.Consumer;

/**
 * Where the faces of an IJB-S evaluation come from. Implementations: a features folder from any extractor
 * ({@code FeatureFolderSource}); later footage embedded directly (offline mode) and footage replayed through the
 * Kafka pipeline (streaming mode). The evaluator only needs each face's path and raw feature, once.
 */
public interface FeatureSource {

    /** Feature dimension; every face has exactly this many values. */
    int dim();

    /** How many faces {@link #forEach} will deliver, or -1 when unknown in advance (progress and ETA use it). */
    long faces();

    /**
     * Delivers every face once, in any order, from one thread at a time (the evaluator accumulates without locks).
     * A bad face is an exception naming it, never a silent skip.
     */
    void forEach(Consumer<Face> sink);

    /** Short description for reports ("features /data/feats (512-d, 1,234,567 faces)"). */
    String describe();
}

package io.facestream.eval.footage;

import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.ijbs.FeatureSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Passes faces through and keeps each one's feature, so that two modes' features can be compared face by face. */
public final class RecordingSource implements FeatureSource {
    private final FeatureSource source;
    private final Map<FacePath, float[]> features = new LinkedHashMap<>();

    public RecordingSource(FeatureSource source) {
        this.source = source;
    }

    @Override
    public int dim() {
        return source.dim();
    }

    @Override
    public long faces() {
        return source.faces();
    }

    @Override
    public void forEach(Consumer<Face> sink) {
        source.forEach(face -> {
            if (features.put(face.path(), face.feature()) != null) {
                throw new IllegalStateException(source.describe() + " delivered face " + face.path() + " twice");
            }
            sink.accept(face);
        });
    }

    @Override
    public String describe() {
        return source.describe();
    }

    /** Raw features by face, in delivery order. */
    public Map<FacePath, float[]> features() {
        return features;
    }
}

package io.facestream.gallery.index;

import io.facestream.gallery.model.GalleryInputException;
import java.util.Locale;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * How template vectors are indexed: HNSW graph degree (M), construction beam width, and the stored precision.
 * Quantised formats keep the float vectors too (for merges and exact re-ranking); they shrink the hot working set.
 */
public record HnswSettings(int m, int beamWidth, Quantization quantization) {

    public enum Quantization {
        NONE,
        INT8,
        INT4;

        public static Quantization parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new GalleryInputException("quantization '" + text + "' is not one of none, int8, int4");
            }
        }
    }

    public HnswSettings {
        if (m < 2 || m > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
            throw new GalleryInputException(
                    "hnsw m = " + m + " must be in 2.." + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN);
        }
        if (beamWidth < 1 || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
            throw new GalleryInputException("hnsw beam width = " + beamWidth + " must be in 1.."
                    + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH);
        }
        if (quantization == null) {
            throw new GalleryInputException("hnsw quantization is missing");
        }
    }

    public static HnswSettings defaults() {
        return new HnswSettings(16, 100, Quantization.NONE);
    }

    public KnnVectorsFormat format() {
        return switch (quantization) {
            case NONE -> new Lucene99HnswVectorsFormat(m, beamWidth);
            case INT8 -> new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.UNSIGNED_BYTE, m, beamWidth);
            case INT4 -> new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.PACKED_NIBBLE, m, beamWidth);
        };
    }
}

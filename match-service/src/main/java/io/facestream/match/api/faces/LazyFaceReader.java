package io.facestream.match.api.faces;

import io.facestream.match.api.ApiError;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the face pipeline on the first upload rather than at start: matching live streams needs no detector, and
 * the API should come up (and say why uploads fail, with 503) even before the models are installed.
 */
public final class LazyFaceReader implements FaceReader, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LazyFaceReader.class);

    private final Supplier<PipelineFaceReader> open;
    private final String configuredModel;
    private final io.facestream.embed.image.ImageDecoder headerCheck;
    private PipelineFaceReader reader;

    public LazyFaceReader(Supplier<PipelineFaceReader> open, String configuredModel, long maxPixels) {
        this.open = open;
        this.headerCheck = new io.facestream.embed.image.ImageDecoder(maxPixels);
        this.configuredModel = configuredModel;
    }

    private synchronized PipelineFaceReader reader() {
        if (reader == null) {
            try {
                reader = open.get();
            } catch (RuntimeException e) {
                LOG.warn("face pipeline unavailable: {}", e.toString());
                throw new ApiError(503, "the face pipeline cannot be opened (" + e.getMessage()
                        + "); install the models with './facestream models pull'");
            }
        }
        return reader;
    }

    @Override
    public ReadFace read(byte[] image, String what) {
        try {
            headerCheck.probe(image, what); // not an image, or too many pixels: 422 even before models are loaded
        } catch (io.facestream.embed.image.ImageException e) {
            throw ApiError.unprocessable(e.getMessage());
        }
        return reader().read(image, what);
    }

    @Override
    public synchronized String model() {
        return reader != null ? reader.model() : configuredModel;
    }

    @Override
    public synchronized void close() {
        if (reader != null) {
            reader.close();
        }
    }
}

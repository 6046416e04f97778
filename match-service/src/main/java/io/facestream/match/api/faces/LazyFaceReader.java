package io.facestream.match.api.faces;

import io.facestream.match.api.ApiError;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the face pipeline on the first upload rather than at start: matching live streams needs no detector, and
 * the API should come up (and say why uploads fail, with 503) even before the models are installed. After a model
 * roll-out ({@link #use}) the next upload reopens the pipeline with the released embedder, so enrolments and searches
 * use the version live tracks use.
 */
public final class LazyFaceReader implements FaceReader, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LazyFaceReader.class);

    private final Function<String, PipelineFaceReader> open;
    private final io.facestream.embed.image.ImageDecoder headerCheck;
    private String embedder;
    private PipelineFaceReader reader;
    private String readerEmbedder;

    /**
     * @param open     opens the pipeline with an embedder spec ({@code name} or {@code name@version})
     * @param embedder the configured embedder spec
     */
    public LazyFaceReader(Function<String, PipelineFaceReader> open, String embedder, long maxPixels) {
        this.open = open;
        this.headerCheck = new io.facestream.embed.image.ImageDecoder(maxPixels);
        this.embedder = embedder;
    }

    /** Uploads from now on use this embedder ({@code name@version}); the current pipeline closes at the next upload. */
    public synchronized void use(String embedderSpec) {
        if (!embedderSpec.equals(embedder)) {
            LOG.info("API uploads switch to embedder {}", embedderSpec);
            embedder = embedderSpec;
        }
    }

    private PipelineFaceReader reader() {
        if (reader != null && !embedder.equals(readerEmbedder)) {
            reader.close();
            reader = null;
        }
        if (reader == null) {
            try {
                reader = open.apply(embedder);
                readerEmbedder = embedder;
            } catch (RuntimeException e) {
                LOG.warn("face pipeline unavailable: {}", e.toString());
                throw new ApiError(
                        503,
                        "the face pipeline cannot be opened (" + e.getMessage()
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
        synchronized (
                this) { // the pipeline reads one image at a time anyway; holding the lock keeps a switch from closing
            // it mid-read
            return reader().read(image, what);
        }
    }

    @Override
    public synchronized String model() {
        return reader != null && embedder.equals(readerEmbedder) ? reader.model() : embedder;
    }

    @Override
    public synchronized void close() {
        if (reader != null) {
            reader.close();
        }
    }
}

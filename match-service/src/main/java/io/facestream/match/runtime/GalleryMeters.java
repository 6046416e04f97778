package io.facestream.match.runtime;

import io.facestream.core.metrics.BoundedTag;
import io.facestream.core.metrics.Metrics;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.reembed.ModelCoverage;
import io.facestream.gallery.reembed.ReembedCatalog;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The size of each gallery of the match service's replica: {@code facestream_gallery_media{gallery}} (enrolled media)
 * and {@code facestream_gallery_vectors{gallery,model}} (media with a vector of that model version; a roll-out is
 * complete where it equals the media count). Counted from the index every {@link #INTERVAL} on a daemon thread, not
 * at scrape time, so a scrape never waits for Lucene. Gallery names are bounded like camera ids.
 */
final class GalleryMeters implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(GalleryMeters.class);

    private final GalleryIndex index;
    private final ReembedCatalog catalog;
    private final BoundedTag galleries = new BoundedTag(n -> n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}"), 256);
    private final MultiGauge media = MultiGauge.builder("facestream.gallery.media")
            .description("media enrolled in the gallery, as the match service's replica has them")
            .register(Metrics.registry());
    private final MultiGauge vectors = MultiGauge.builder("facestream.gallery.vectors")
            .description("media of the gallery with a vector of this model version")
            .register(Metrics.registry());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "facestream-gallery-meters");
        t.setDaemon(true);
        return t;
    });

    private GalleryMeters(GalleryIndex index) {
        this.index = index;
        this.catalog = new ReembedCatalog(index);
    }

    static GalleryMeters start(GalleryIndex index) {
        GalleryMeters m = new GalleryMeters(index);
        m.timer.scheduleWithFixedDelay(m::refresh, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return m;
    }

    void refresh() {
        try {
            List<MultiGauge.Row<?>> mediaRows = new ArrayList<>();
            List<MultiGauge.Row<?>> vectorRows = new ArrayList<>();
            for (String gallery : index.galleryNames()) {
                String tag = galleries.of(gallery);
                List<ModelCoverage> coverage = catalog.coverage(gallery);
                long count = index.withSearcher(searcher -> {
                    try {
                        return (long) searcher.count(index.layout().media(gallery));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                mediaRows.add(MultiGauge.Row.of(Tags.of("gallery", tag), count));
                for (ModelCoverage c : coverage) {
                    vectorRows.add(MultiGauge.Row.of(
                            Tags.of("gallery", tag, "model", c.model().toString()), c.embedded()));
                }
            }
            media.register(mediaRows, true);
            vectors.register(vectorRows, true);
        } catch (RuntimeException e) {
            // a gallery deleted while counting, an index being reopened: the next round counts again
            LOG.debug("gallery meters not refreshed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        media.register(List.of(), true);
        vectors.register(List.of(), true);
    }
}

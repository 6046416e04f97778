package io.facestream.match.topology;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.Identifier;
import io.facestream.match.rollout.Rollouts;
import io.facestream.match.track.Tracker;
import io.facestream.match.track.TrackerSettings;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running matching topology: a KafkaStreams instance with exactly-once v2, closed with the service. */
public final class MatchStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MatchStreams.class);

    private final KafkaStreams streams;
    private final AutoCloseable meters;

    private MatchStreams(KafkaStreams streams, AutoCloseable meters) {
        this.streams = streams;
        this.meters = meters;
    }

    public static MatchStreams start(FacestreamConfig config, String bootstrap, GallerySearch gallery) {
        return start(config, bootstrap, gallery, Rollouts.none());
    }

    /** With roll-outs: decisions of a version that {@code rollouts} holds wait up to {@code match.rollout.max-hold}. */
    public static MatchStreams start(
            FacestreamConfig config, String bootstrap, GallerySearch gallery, Rollouts rollouts) {
        return start(config, bootstrap, gallery, rollouts, ModelDimensions.none());
    }

    /**
     * @param manifests feature lengths known from the model store; the gallery's vectors are consulted after them, and
     *                  a face of another length than its model's is dead-lettered
     */
    public static MatchStreams start(
            FacestreamConfig config,
            String bootstrap,
            GallerySearch gallery,
            Rollouts rollouts,
            ModelDimensions manifests) {
        Tracker tracker = new Tracker(TrackerSettings.from(config));
        Identifier identifier =
                new Identifier(gallery, config.getString("match.gallery"), config.getInt("match.top-k"));
        Duration idleCheck = config.getDuration("match.track.idle-check");
        ModelDimensions galleryVectors = m -> {
            OptionalInt d = gallery.dimension(m.toString());
            return d.isPresent()
                    ? Optional.of(new ModelDimensions.Known(d.getAsInt(), "gallery vectors"))
                    : Optional.empty();
        };
        FaceValidator validator = new FaceValidator(manifests.or(galleryVectors));
        KafkaStreams streams = new KafkaStreams(
                MatchTopology.build(
                        tracker,
                        identifier,
                        idleCheck,
                        rollouts,
                        config.getDuration("match.rollout.max-hold"),
                        validator),
                properties(config, bootstrap));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("matching topology failed; the thread is replaced and resumes from the last commit", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
        // the topology's clients' meters (kafka_stream_*, and its consumers' and producers' lag and rates)
        AutoCloseable meters = Metrics.bind(new KafkaStreamsMetrics(streams));
        streams.start();
        return new MatchStreams(streams, meters);
    }

    static Properties properties(FacestreamConfig config, String bootstrap) {
        Path stateDir = config.getPath("match.state-dir");
        try {
            Files.createDirectories(stateDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create match.state-dir " + stateDir + ": " + e.getMessage(), e);
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString("match.application-id"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int)
                config.getDuration("match.commit-interval").toMillis());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt("match.threads"));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // poison records go to facestream.dlq and the partition goes on (no stream-thread restarts over one record)
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, UndecodableFaces.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RefusedRecords.class);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 2 * 1024 * 1024);
        // how long a crashed instance keeps its cameras before the group hands them to a live one
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int)
                config.getDuration("match.session-timeout").toMillis());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 2 * 1024 * 1024);
        // the client properties of the config (security, credentials) reach every client of Kafka Streams
        return KafkaClients.streams(KafkaConnection.fromConfig(config, bootstrap), p);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public boolean isRunning() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        Metrics.unbind(meters);
    }
}

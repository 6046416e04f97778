package io.facestream.match.topology;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.match.decide.Identifier;
import io.facestream.match.rollout.Rollouts;
import io.facestream.match.track.Tracker;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * facestream.faces → track (state store per camera) → identify (gallery search + open-set decision; decisions of a
 * model version still being rolled out wait in a second store) → facestream.matches. Keys stay the camera id all the
 * way, so a camera's tracks live in one task and no repartition is needed. Faces that do not parse
 * ({@link UndecodableFaces}) or that the {@link FaceValidator} refuses ({@link RefusedRecords}) go to facestream.dlq
 * through the error handlers {@link MatchStreams} configures, and the partition goes on.
 */
public final class MatchTopology {
    public static final String TRACK_STORE = "camera-tracks";
    public static final String HELD_STORE = "held-decisions";
    static final String SOURCE = "faces";
    static final String TRACK = "track";
    static final String IDENTIFY = "identify";
    static final String MATCH_SINK = "matches";

    private MatchTopology() {}

    /**
     * @param rollouts which model versions wait for re-embedding before their tracks are decided
     * @param maxHold  the longest a decision waits for that
     * @param validator the rules every face record must pass before the tracker sees it
     */
    public static Topology build(
            Tracker tracker,
            Identifier identifier,
            Duration idleCheck,
            Rollouts rollouts,
            Duration maxHold,
            FaceValidator validator) {
        MatchMetrics metrics = MatchMetrics.global();
        Topology t = new Topology();
        t.addSource(
                SOURCE,
                new StringDeserializer(),
                ProtobufSerde.faceObservation().deserializer(),
                TopicCatalog.FACES);
        t.addProcessor(TRACK, () -> new TrackProcessor(tracker, validator, idleCheck, metrics), SOURCE);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(TRACK_STORE), Serdes.String(), CameraTracksSerde.create()),
                TRACK);
        t.addProcessor(IDENTIFY, () -> new IdentifyProcessor(identifier, rollouts, maxHold, metrics), TRACK);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(HELD_STORE),
                        Serdes.String(),
                        new JsonSerde<>(HeldDecision.class)),
                IDENTIFY);
        t.addSink(
                MATCH_SINK,
                TopicCatalog.MATCHES,
                new StringSerializer(),
                JsonSerde.<Match>match().serializer(),
                IDENTIFY);
        return t;
    }
}

package io.facestream.core.events;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for a protobuf message type. Null stays null, so tombstones pass through. */
public final class ProtobufSerde<T extends MessageLite> implements Serde<T> {
    private final Parser<T> parser;
    private final String typeName;

    public ProtobufSerde(Parser<T> parser, Class<T> type) {
        this.parser = parser;
        this.typeName = type.getSimpleName();
    }

    public static ProtobufSerde<FaceObservation> faceObservation() {
        return new ProtobufSerde<>(FaceObservation.parser(), FaceObservation.class);
    }

    public static ProtobufSerde<GalleryEntry> galleryEntry() {
        return new ProtobufSerde<>(GalleryEntry.parser(), GalleryEntry.class);
    }

    public static ProtobufSerde<ModelRelease> modelRelease() {
        return new ProtobufSerde<>(ModelRelease.parser(), ModelRelease.class);
    }

    public static ProtobufSerde<Feedback> feedback() {
        return new ProtobufSerde<>(Feedback.parser(), Feedback.class);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : value.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SerializationException(
                        "record on " + topic + " is not a valid " + typeName + " (" + bytes.length + " bytes): "
                                + e.getMessage(),
                        e);
            }
        };
    }
}

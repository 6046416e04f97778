package io.facestream.gallery.replication;

import com.google.protobuf.ByteString;
import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.ModelVector;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import java.util.ArrayList;
import java.util.List;

/** Translates between facestream.gallery records (key + {@link GalleryEntry} or tombstone) and {@link GalleryChange}s. */
public final class EntryCodec {
    private EntryCodec() {}

    /** A record as published: the topic key and the value (null for a tombstone). */
    public record Record(String key, GalleryEntry value) {}

    public static GalleryChange decode(String key, GalleryEntry entry) {
        GalleryKey k = GalleryKey.parse(key);
        if (entry == null) {
            return new GalleryChange.Remove(k);
        }
        return switch (k) {
            case GalleryKey.OfGallery g -> {
                same(key, "gallery", g.gallery(), entry.getGallery());
                yield new GalleryChange.DefineGallery(new GalleryDefinition(
                        g.gallery(), GalleryKind.fromProto(entry.getKind(), g.gallery()), entry.getMetadataMap()));
            }
            case GalleryKey.OfSubject s -> {
                same(key, "gallery", s.gallery(), entry.getGallery());
                same(key, "subject_id", s.subject(), entry.getSubjectId());
                yield new GalleryChange.PutSubject(
                        new Subject(s.gallery(), s.subject(), entry.getDisplayName(), entry.getMetadataMap()));
            }
            case GalleryKey.OfMedium m -> {
                same(key, "gallery", m.gallery(), entry.getGallery());
                same(key, "subject_id", m.subject(), entry.getSubjectId());
                same(key, "media_id", m.media(), entry.getMediaId());
                List<Embedding> embeddings = new ArrayList<>();
                for (ModelVector v : entry.getVectorsList()) {
                    float[] values = new float[v.getValuesCount()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = v.getValues(i);
                    }
                    embeddings.add(new Embedding(ModelVersion.of(v.getModel()), values));
                }
                List<byte[]> crops = entry.getAlignedCropsJpegList().stream()
                        .map(ByteString::toByteArray)
                        .toList();
                yield new GalleryChange.PutMedium(new Medium(
                        m.gallery(),
                        m.subject(),
                        m.media(),
                        embeddings,
                        crops,
                        entry.getMetadataMap(),
                        entry.getCreatedTsUs()));
            }
        };
    }

    /** A field of the value may be left empty (the key says it), but must not contradict the key. */
    private static void same(String key, String field, String fromKey, String fromValue) {
        if (!fromValue.isEmpty() && !fromValue.equals(fromKey)) {
            throw new GalleryInputException("gallery record '" + key + "' has " + field + " '" + fromValue
                    + "' in its value, but '" + fromKey + "' in its key");
        }
    }

    public static Record encode(GalleryChange change) {
        return switch (change) {
            case GalleryChange.Remove r -> new Record(r.key().text(), null);
            case GalleryChange.DefineGallery d ->
                new Record(
                        d.key().text(),
                        GalleryEntry.newBuilder()
                                .setGallery(d.gallery().name())
                                .setKind(d.gallery().kind().toProto())
                                .putAllMetadata(d.gallery().metadata())
                                .build());
            case GalleryChange.PutSubject p ->
                new Record(
                        p.key().text(),
                        GalleryEntry.newBuilder()
                                .setGallery(p.subject().gallery())
                                .setSubjectId(p.subject().subjectId())
                                .setDisplayName(p.subject().displayName())
                                .putAllMetadata(p.subject().metadata())
                                .build());
            case GalleryChange.PutMedium p -> {
                Medium m = p.medium();
                GalleryEntry.Builder b = GalleryEntry.newBuilder()
                        .setGallery(m.gallery())
                        .setSubjectId(m.subjectId())
                        .setMediaId(m.mediaId())
                        .putAllMetadata(m.metadata())
                        .setCreatedTsUs(m.createdTsUs());
                for (Embedding e : m.embeddings()) {
                    ModelVector.Builder v = ModelVector.newBuilder()
                            .setModel(e.model().toProto())
                            .setNorm((float) e.norm());
                    for (float f : e.values()) {
                        v.addValues(f);
                    }
                    b.addVectors(v);
                }
                m.crops().forEach(c -> b.addAlignedCropsJpeg(ByteString.copyFrom(c)));
                yield new Record(p.key().text(), b.build());
            }
        };
    }
}

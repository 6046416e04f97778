package io.facestream.gallery.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One medium of a subject: an enrolment still, one item of a booking set or a surveillance track. It carries one
 * raw feature per model version that has embedded it and the aligned crops those features came from, which a new
 * model version re-embeds.
 */
public record Medium(
        String gallery,
        String subjectId,
        String mediaId,
        List<Embedding> embeddings,
        List<byte[]> crops,
        Map<String, String> metadata,
        long createdTsUs) {
    public Medium {
        Names.requireId("gallery name", gallery);
        Names.requireId("subject id", subjectId);
        Names.requireId("media id", mediaId);
        String where = "medium " + gallery + "/" + subjectId + "/" + mediaId;
        embeddings = List.copyOf(embeddings == null ? List.of() : embeddings);
        if (embeddings.isEmpty() && (crops == null || crops.isEmpty())) {
            throw new GalleryInputException(where + " has neither an embedding nor a crop to embed later");
        }
        Set<ModelVersion> seen = new HashSet<>();
        for (Embedding e : embeddings) {
            if (!seen.add(e.model())) {
                throw new GalleryInputException(where + " has two embeddings of model " + e.model());
            }
        }
        List<byte[]> copied = new ArrayList<>();
        for (byte[] c : crops == null ? List.<byte[]>of() : crops) {
            if (c == null || c.length == 0) {
                throw new GalleryInputException(where + " has an empty crop");
            }
            copied.add(c.clone());
        }
        crops = List.copyOf(copied);
        metadata = Metadata.copy(where, metadata);
    }

    public GalleryKey.OfMedium key() {
        return new GalleryKey.OfMedium(gallery, subjectId, mediaId);
    }

    public java.util.Optional<Embedding> embedding(ModelVersion model) {
        return embeddings.stream().filter(e -> e.model().equals(model)).findFirst();
    }

    /** The same medium with one more (or a replaced) model version: how re-embedding fills in a new model. */
    public Medium withEmbedding(Embedding added) {
        List<Embedding> next = new ArrayList<>(embeddings.stream()
                .filter(e -> !e.model().equals(added.model()))
                .toList());
        next.add(added);
        return new Medium(gallery, subjectId, mediaId, next, crops, metadata, createdTsUs);
    }
}

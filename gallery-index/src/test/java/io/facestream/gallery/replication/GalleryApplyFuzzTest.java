package io.facestream.gallery.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.facestream.core.events.GalleryEntry;
import io.facestream.core.events.GalleryKind;
import io.facestream.core.events.ModelRef;
import io.facestream.core.events.ModelVector;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.files.FileTrees;
import io.facestream.core.testing.Fuzzing;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchTuning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Fuzzes what a gallery replica does with the records of {@code facestream.gallery}, which any producer may write:
 * {@link EntryCodec#decode} and {@link GalleryIndex#apply} on a fresh Lucene index in a temporary directory, then
 * {@link GalleryIndex#finishBatch} after each record, as {@link GalleryReplica} does.
 *
 * <p>What must hold: a record is applied or refused with an {@link IllegalArgumentException} (the gallery's
 * {@code GalleryInputException}) or a {@link SerializationException}, the two the replica catches and counts; a refused
 * record changes nothing (galleries, vector dimensions, subjects); finishing a batch never throws (the replica does not
 * catch it: it would stop replication for good); every gallery can be searched with every model afterwards; and a
 * commit, close and reopen (crash recovery) gives back the same galleries and dimensions.
 *
 * <p>Input: records, each starting with a line {@code @<key>} (a tombstone: {@code @-<key>}; raw protobuf bytes up to
 * the next record: {@code @raw <key>}), followed by value fields: {@code gallery=}, {@code subject=}, {@code media=},
 * {@code display=}, {@code kind=} (enum number), {@code meta:<k>=<v>}, {@code vec:<name>:<version>=<comma-separated
 * floats>}, {@code crop=<bytes>}, {@code ts=}.
 */
class GalleryApplyFuzzTest {
    private static final int MAX_RECORDS = 12;
    private static final Deserializer<GalleryEntry> VALUES =
            ProtobufSerde.galleryEntry().deserializer();
    private static final Path ROOT = root();
    private static int runs;

    private static Path root() {
        try {
            Path p = Files.createTempDirectory("gallery-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTrees.delete(p)));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record as the replica would read it: a key and the value's bytes (null: a tombstone). */
    record Rec(String key, byte[] value) {}

    @DictionaryEntries({
        "@-",
        "@raw ",
        "kind=2",
        "kind=1",
        "kind=3",
        "vec:mfn:1=",
        "vec:arc:2=",
        "-1,-2,-3",
        "1e-40",
        "3e38",
        "crop=",
        "meta:",
        "display=",
        "gallery=",
        "subject=",
        "media="
    })
    @FuzzTest(maxDuration = "30s")
    void apply(byte[] data) {
        List<Rec> records = records(data);
        Path dir = ROOT.resolve("run-" + runs++);
        try {
            Fuzzing.check(() -> replay(dir, records));
        } finally {
            FileTrees.delete(dir);
        }
    }

    private static void replay(Path dir, List<Rec> records) {
        FileTrees.delete(dir);
        TreeSet<String> keys = new TreeSet<>();
        State end;
        try (GalleryIndex index = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            for (Rec r : records) {
                keys.add(r.key());
                State before = State.of(index, keys);
                try {
                    GalleryChange change =
                            EntryCodec.decode(r.key(), VALUES.deserialize("facestream.gallery", r.value()));
                    index.apply(change);
                } catch (IllegalArgumentException | SerializationException refused) {
                    assertEquals(before, State.of(index, keys), "a refused record changed the index: " + refused);
                }
                index.finishBatch();
            }
            searchEverything(index);
            index.commit(records.size());
            end = State.of(index, keys);
        }
        try (GalleryIndex reopened = GalleryIndex.open(dir, HnswSettings.defaults(), 16)) {
            assertEquals(end, State.of(reopened, keys), "the reopened index differs from the committed one");
            searchEverything(reopened);
        }
    }

    private static void searchEverything(GalleryIndex index) {
        GallerySearcher searcher = new GallerySearcher(index, SearchTuning.defaults());
        for (String gallery : index.galleryNames()) {
            for (ModelVersion model : index.models()) {
                float[] probe = new float[index.dimension(model).getAsInt()];
                probe[0] = 1;
                searcher.search(SearchRequest.of(gallery, model, probe, 3));
            }
        }
    }

    /** What a refused record must leave alone. */
    record State(TreeSet<String> galleries, Map<String, Integer> dimensions, TreeSet<String> subjects) {
        static State of(GalleryIndex index, TreeSet<String> keys) {
            Map<String, Integer> dims = new TreeMap<>();
            index.models()
                    .forEach(m -> dims.put(m.toString(), index.dimension(m).orElse(-1)));
            TreeSet<String> subjects = new TreeSet<>();
            for (String k : keys) {
                String[] parts = k.split("/", -1);
                if (parts.length >= 2) {
                    try {
                        var s = new io.facestream.gallery.model.GalleryKey.OfSubject(parts[0], parts[1]);
                        if (index.hasSubject(s)) {
                            subjects.add(s.text());
                        }
                    } catch (IllegalArgumentException notAKey) {
                        // not a subject key
                    }
                }
            }
            return new State(new TreeSet<>(index.galleryNames()), dims, subjects);
        }
    }

    static List<Rec> records(byte[] data) {
        List<Rec> out = new ArrayList<>();
        String text = new String(data, StandardCharsets.ISO_8859_1); // one char per byte: raw values survive
        int i = 0;
        while (i < text.length() && out.size() < MAX_RECORDS) {
            int start = text.indexOf('@', i);
            if (start < 0 || (start > 0 && text.charAt(start - 1) != '\n')) {
                if (start < 0) {
                    break;
                }
                i = start + 1;
                continue;
            }
            int lineEnd = text.indexOf('\n', start);
            String head = lineEnd < 0 ? text.substring(start + 1) : text.substring(start + 1, lineEnd);
            int next = lineEnd < 0 ? text.length() : text.indexOf("\n@", lineEnd);
            String body = lineEnd < 0
                    ? ""
                    : text.substring(lineEnd + 1, Math.max(lineEnd + 1, next < 0 ? text.length() : next));
            i = next < 0 ? text.length() : next + 1;
            if (head.startsWith("-")) {
                out.add(new Rec(utf8(head.substring(1)), null));
            } else if (head.startsWith("raw ")) {
                out.add(new Rec(utf8(head.substring(4)), body.getBytes(StandardCharsets.ISO_8859_1)));
            } else {
                out.add(new Rec(utf8(head), entry(body).toByteArray()));
            }
        }
        return out;
    }

    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static GalleryEntry entry(String body) {
        GalleryEntry.Builder b = GalleryEntry.newBuilder();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (name) {
                case "gallery" -> b.setGallery(utf8(value));
                case "subject" -> b.setSubjectId(utf8(value));
                case "media" -> b.setMediaId(utf8(value));
                case "display" -> b.setDisplayName(utf8(value));
                case "kind" -> b.setKindValue(parseInt(value));
                case "ts" -> b.setCreatedTsUs(parseLong(value));
                case "crop" -> b.addAlignedCropsJpeg(ByteString.copyFrom(value.getBytes(StandardCharsets.ISO_8859_1)));
                default -> {
                    if (name.startsWith("meta:")) {
                        b.putMetadata(utf8(name.substring(5)), utf8(value));
                    } else if (name.startsWith("vec:")) {
                        String[] mv = name.substring(4).split(":", 2);
                        ModelVector.Builder v = ModelVector.newBuilder()
                                .setModel(ModelRef.newBuilder()
                                        .setName(utf8(mv[0]))
                                        .setVersion(mv.length > 1 ? utf8(mv[1]) : ""));
                        Arrays.stream(value.split(",")).forEach(f -> v.addValues(parseFloat(f)));
                        b.addVectors(v);
                    }
                }
            }
        }
        return b.build();
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return GalleryKind.BOOKING_VALUE;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static float parseFloat(String s) {
        try {
            return Float.parseFloat(s.trim());
        } catch (NumberFormatException e) {
            return 0.5f;
        }
    }
}

package io.facestream.ops.erasure;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.SegmentRoll;
import io.facestream.core.kafka.TopicSnapshot;
import io.facestream.core.topics.TopicCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Looks everywhere facestream keeps data for what is left of one subject: the subject id (bytes, anywhere) and the
 * SHA-256 of its enrolled crops and uploaded photos (every JPEG found inside a record, file or stored field is hashed).
 *
 * <p>A finding is a <b>trace</b> (data that erasure must remove) or <b>retained</b> (kept on purpose, docs/privacy.md):
 * the audit log's lines about the subject (who enrolled and deleted it, when; they hold no biometric), and decisions on
 * {@code facestream.matches} that name it (no face data; they go with the topic's retention). The id search is a plain
 * byte search, so an id that is part of another one ({@code s-1} in {@code s-17}) is found too: use unique ids.
 */
public final class ErasureScan {
    /** What to look for. */
    public record Target(String subjectId, String gallery, Set<String> sha256) {
        public Target {
            sha256 = Set.copyOf(sha256.stream()
                    .map(h -> h.trim().toLowerCase(java.util.Locale.ROOT))
                    .toList());
        }
    }

    /** Where to look: any of them null is skipped (reported as such). */
    public record Stores(
            KafkaConnection kafka, Path galleryIndexDir, Path matchStateDir, Path uploadDir, Path auditLog) {}

    /** One place scanned: how many traces and retained findings, and a few examples of each. */
    public record Location(
            String store, String location, String status, int traces, int retained, List<String> examples) {}

    public record Report(String subjectId, String gallery, int hashes, List<Location> locations) {
        public int traces() {
            return locations.stream().mapToInt(Location::traces).sum();
        }

        public int retained() {
            return locations.stream().mapToInt(Location::retained).sum();
        }
    }

    private static final int EXAMPLES = 5;
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);

    private final Target target;
    private final byte[] id;

    private ErasureScan(Target target) {
        this.target = target;
        this.id = target.subjectId().getBytes(StandardCharsets.UTF_8);
    }

    /** Scans every store. */
    public static Report scan(Target target, Stores stores) {
        ErasureScan s = new ErasureScan(target);
        List<Location> out = new ArrayList<>();
        if (stores.kafka() != null) {
            out.addAll(s.topics(stores.kafka()));
        }
        if (stores.galleryIndexDir() != null) {
            out.add(s.lucene(stores.galleryIndexDir().resolve("lucene")));
            out.add(s.files("gallery index files", stores.galleryIndexDir().resolve("lucene")));
            out.add(s.crops(stores.galleryIndexDir().resolve("crops")));
        }
        if (stores.matchStateDir() != null) {
            Path history = stores.matchStateDir().resolve("history");
            out.add(s.files("match state", stores.matchStateDir(), history, true));
            // the match history holds the decisions of facestream.matches: one naming the subject is retained as on
            // the topic (no face data; erasure drops its best face), while an enrolled JPEG there would be a trace
            out.add(s.files("match history", history, null, false));
        }
        if (stores.uploadDir() != null) {
            out.add(s.files("uploads", stores.uploadDir()));
        }
        if (stores.auditLog() != null) {
            out.add(s.audit(stores.auditLog()));
        }
        return new Report(target.subjectId(), target.gallery(), target.sha256().size(), out);
    }

    /**
     * The SHA-256 of the crops and photos of every enrolment of {@code subjectId} (in {@code gallery}, or any) the audit
     * log recorded: the API writes them into the enrolment's line ({@code crop_sha256}, {@code image_sha256}).
     */
    public static Set<String> hashesFromAudit(Path auditLog, String subjectId, String gallery) throws IOException {
        Set<String> out = new TreeSet<>();
        if (auditLog == null || !Files.isRegularFile(auditLog)) {
            return out;
        }
        try (Stream<String> lines = Files.lines(auditLog, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.contains("subject.enrol")) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.mapper().readTree(line);
                } catch (IOException torn) {
                    continue;
                }
                JsonNode d = n.path("details");
                if (!"subject.enrol".equals(n.path("action").asText())
                        || !subjectId.equals(d.path("subject_id").asText())
                        || (gallery != null && !gallery.equals(d.path("gallery").asText()))) {
                    continue;
                }
                for (String field : List.of("crop_sha256", "image_sha256")) {
                    d.path(field).forEach(h -> out.add(h.asText().toLowerCase(java.util.Locale.ROOT)));
                }
            }
        }
        return out;
    }

    // ---- Kafka: every facestream topic, every record still in the log ----

    private List<Location> topics(KafkaConnection kafka) {
        List<Location> out = new ArrayList<>();
        Set<String> names;
        try (Admin admin = KafkaClients.admin(kafka)) {
            names = new TreeSet<>(admin.listTopics().names().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot list the topics at " + kafka.bootstrap() + " (" + e.getMessage()
                            + "): erasure cannot be verified without the broker; check kafka.bootstrap",
                    e);
        }
        Properties p = KafkaClients.consumer(kafka, null);
        // aborted transactions are on disk too: read everything the log holds
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            for (String topic : names) {
                if (topic.startsWith("facestream")) {
                    out.add(topic(consumer, topic));
                }
            }
        }
        return out;
    }

    private Location topic(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        Found f = new Found();
        long records = TopicSnapshot.read(consumer, topic, null, Duration.ofMinutes(10), r -> {
            String where = topic + "-" + r.partition() + "@" + r.offset();
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            if (key.equals(SegmentRoll.KEY)) {
                return;
            }
            boolean decision = topic.equals(TopicCatalog.MATCHES);
            if (contains(r.key(), id) && inGallery(topic, key)) {
                f.add(!decision, where + " key '" + key + "'");
            }
            for (Header h : r.headers()) {
                if (contains(h.value(), id) || contains(h.key().getBytes(StandardCharsets.UTF_8), id)) {
                    f.add(!decision, where + " header " + h.key());
                }
            }
            if (r.value() != null) {
                if (contains(r.value(), id) && inGallery(topic, key)) {
                    f.add(
                            !decision,
                            where + " value" + (decision ? " (a decision naming the subject)" : "")
                                    + (r.value().length == 0 ? "" : ""));
                }
                jpegs(
                        r.value(),
                        h -> f.add(true, where + " value holds an enrolled JPEG (sha256 " + h.substring(0, 12) + "…)"));
            }
        });
        return f.location("kafka topic", topic, "scanned " + records + " records");
    }

    /** With --gallery, a gallery-topic record under another gallery is another subject with the same id. */
    private boolean inGallery(String topic, String key) {
        return target.gallery() == null
                || !topic.equals(TopicCatalog.GALLERY)
                || key.startsWith(target.gallery() + "/");
    }

    // ---- the gallery replica: Lucene documents (deleted ones too, until merged away) and terms ----

    private Location lucene(Path dir) {
        Found f = new Found();
        try (FSDirectory d = FSDirectory.open(dir)) {
            if (!Files.isDirectory(dir) || !DirectoryReader.indexExists(d)) {
                return new Location("gallery index", dir.toString(), "no index here", 0, 0, List.of());
            }
            int docs = 0;
            try (DirectoryReader reader = DirectoryReader.open(d)) {
                for (LeafReaderContext ctx : reader.leaves()) {
                    LeafReader leaf = ctx.reader();
                    Bits live = leaf.getLiveDocs();
                    StoredFields stored = leaf.storedFields();
                    for (int doc = 0; doc < leaf.maxDoc(); doc++) {
                        docs++;
                        Document document = stored.document(doc);
                        String gallery = document.get("gallery");
                        if (target.gallery() != null && gallery != null && !gallery.equals(target.gallery())) {
                            continue;
                        }
                        String what = "segment " + leaf + " doc " + doc
                                + (live != null && !live.get(doc) ? " (deleted, not merged away yet)" : "") + " key '"
                                + document.get("key") + "'";
                        for (IndexableField field : document.getFields()) {
                            if (field.stringValue() != null
                                    && field.stringValue().contains(target.subjectId())) {
                                f.add(true, what + " field " + field.name());
                            } else if (field.binaryValue() != null) {
                                BytesRef b = field.binaryValue();
                                byte[] bytes = java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length);
                                if (contains(bytes, id)) {
                                    f.add(true, what + " field " + field.name());
                                }
                                jpegs(
                                        bytes,
                                        h -> f.add(true, what + " field " + field.name() + " holds an enrolled JPEG"));
                            }
                        }
                    }
                    String needle =
                            target.gallery() == null ? target.subjectId() : target.gallery() + "/" + target.subjectId();
                    for (FieldInfo fi : leaf.getFieldInfos()) {
                        Terms terms = leaf.terms(fi.name);
                        if (terms == null) {
                            continue;
                        }
                        TermsEnum te = terms.iterator();
                        for (BytesRef t = te.next(); t != null; t = te.next()) {
                            String term = t.utf8ToString();
                            if (term.contains(needle)) {
                                f.add(true, "segment " + leaf + " term " + fi.name + ":" + term);
                            }
                        }
                    }
                }
            }
            return f.location("gallery index", dir.toString(), "scanned " + docs + " documents with their terms");
        } catch (IOException e) {
            return new Location(
                    "gallery index", dir.toString(), "unreadable: " + e.getMessage(), 1, 0, List.of(e.toString()));
        }
    }

    private Location crops(Path crops) {
        Found f = new Found();
        if (!Files.isDirectory(crops)) {
            return new Location("gallery crops", crops.toString(), "no crop store here", 0, 0, List.of());
        }
        try (Stream<Path> galleries = Files.list(crops)) {
            for (Path g : galleries.toList()) {
                if (target.gallery() != null && !g.getFileName().toString().equals(target.gallery())) {
                    continue;
                }
                Path s = g.resolve(target.subjectId());
                if (Files.exists(s)) {
                    f.add(true, s + " exists");
                }
            }
        } catch (IOException e) {
            return new Location(
                    "gallery crops", crops.toString(), "unreadable: " + e.getMessage(), 1, 0, List.of(e.toString()));
        }
        Location files = files("gallery crops", crops);
        f.merge(files);
        return f.location("gallery crops", crops.toString(), files.status());
    }

    // ---- files: match state (Kafka Streams' RocksDB stores, uncompressed), uploads, index files ----

    private Location files(String store, Path dir) {
        return files(store, dir, null, true);
    }

    /**
     * @param skip     a folder below {@code dir} scanned as a store of its own, or null
     * @param idIsTrace whether the subject id in a file is a trace (else it is retained: decisions naming it)
     */
    private Location files(String store, Path dir, Path skip, boolean idIsTrace) {
        Found f = new Found();
        if (!Files.isDirectory(dir)) {
            return new Location(store, dir.toString(), "no such directory", 0, 0, List.of());
        }
        int n = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile)
                    .filter(p -> skip == null || !p.startsWith(skip))
                    .toList()) {
                n++;
                if (p.getFileName().toString().contains(target.subjectId())) {
                    f.add(true, p + " (file name)");
                }
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(p);
                } catch (IOException gone) {
                    continue; // removed while we walked (a Lucene merge, a finished upload)
                }
                if (contains(bytes, id)) {
                    f.add(idIsTrace, p + (idIsTrace ? " holds the subject id" : " holds decisions naming the subject"));
                }
                jpegs(bytes, h -> f.add(true, p + " holds an enrolled JPEG (sha256 " + h.substring(0, 12) + "…)"));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return new Location(store, dir.toString(), "unreadable: " + e.getMessage(), 1, 0, List.of(e.toString()));
        }
        return f.location(store, dir.toString(), "scanned " + n + " files");
    }

    private Location audit(Path log) {
        Found f = new Found();
        if (!Files.isRegularFile(log)) {
            return new Location("audit log", log.toString(), "no such file", 0, 0, List.of());
        }
        int n = 0;
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                n++;
                if (line.contains(target.subjectId())) {
                    String action = "";
                    try {
                        JsonNode j = Json.mapper().readTree(line);
                        action = j.path("action").asText() + " "
                                + j.path("outcome").asText() + " by "
                                + j.path("principal").asText() + " at "
                                + j.path("time").asText();
                    } catch (IOException torn) {
                        action = "unparseable line";
                    }
                    f.add(false, "line " + n + ": " + action);
                }
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                jpegs(bytes, h -> f.add(true, "an enrolled JPEG in the audit log"));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return new Location(
                    "audit log", log.toString(), "unreadable: " + e.getMessage(), 1, 0, List.of(e.toString()));
        }
        return f.location(
                "audit log", log.toString(), "scanned " + n + " lines (the fact of enrolment and deletion is kept)");
    }

    // ---- bytes ----

    static boolean contains(byte[] hay, byte[] needle) {
        if (hay == null || needle.length == 0 || hay.length < needle.length) {
            return false;
        }
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Hashes the whole blob and every JPEG inside it (from each start-of-image marker to each of the next few
     * end-of-image markers: a JPEG's entropy-coded data never holds FF D9, an embedded thumbnail ends early) and
     * reports each hash that is an enrolled crop's or photo's.
     */
    private void jpegs(byte[] b, java.util.function.Consumer<String> hit) {
        if (target.sha256().isEmpty() || b == null) {
            return;
        }
        Set<String> seen = new LinkedHashSet<>();
        String whole = sha256(b, 0, b.length);
        if (target.sha256().contains(whole)) {
            seen.add(whole);
        }
        for (int i = 0; i + 2 < b.length; i++) {
            if ((b[i] & 0xff) != 0xFF || (b[i + 1] & 0xff) != 0xD8 || (b[i + 2] & 0xff) != 0xFF) {
                continue;
            }
            int ends = 0;
            for (int j = i + 2; j + 1 < b.length && ends < 4; j++) {
                if ((b[j] & 0xff) == 0xFF && (b[j + 1] & 0xff) == 0xD9) {
                    ends++;
                    String h = sha256(b, i, j + 2);
                    if (target.sha256().contains(h)) {
                        seen.add(h);
                    }
                }
            }
        }
        seen.forEach(hit);
    }

    static String sha256(byte[] b, int from, int to) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(b, from, to - from);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Findings of one location. */
    private static final class Found {
        int traces;
        int retained;
        final List<String> examples = new ArrayList<>();

        void add(boolean trace, String what) {
            if (trace) {
                traces++;
            } else {
                retained++;
            }
            if (examples.size() < EXAMPLES) {
                examples.add((trace ? "TRACE " : "kept ") + what);
            }
        }

        void merge(Location l) {
            traces += l.traces();
            retained += l.retained();
            for (String e : l.examples()) {
                if (examples.size() < EXAMPLES) {
                    examples.add(e);
                }
            }
        }

        Location location(String store, String where, String status) {
            return new Location(store, where, status, traces, retained, List.copyOf(examples));
        }
    }
}

package io.facestream.match.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.CameraId;
import io.facestream.core.events.CameraSpec;
import io.facestream.core.events.CameraState;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.security.Redact;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.match.api.live.MatchFeed;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Cameras at run time: specs written to {@code facestream.cameras} (which every ingest process follows) and the status
 * ingest writes to {@code facestream.camera-status}, both followed here from the beginning. Sources are stored as
 * written (ingest needs their credentials) and masked with {@link Redact} in everything this class returns.
 */
public final class CameraAdmin implements AutoCloseable {
    /** Source schemes ingest opens; anything else without a scheme is a file, an image directory or a device. */
    static final Set<String> SCHEMES =
            Set.of("rtsp", "rtsps", "http", "https", "rtmp", "rtmps", "udp", "srt", "tcp", "file", "v4l2");
    /** Per-camera options ingest takes (CameraOptions.with), as the API accepts them. */
    static final Set<String> OPTIONS =
            Set.of("fps", "max-width", "max-height", "jpeg-quality", "replay", "at-end", "image-fps", "format");

    private static final int MAX_SOURCE = 2048;
    /** How far back in a frames partition the snapshot looks for the camera's latest frame (cameras share one). */
    private static final int SNAPSHOT_LOOKBACK = 256;

    private final Producer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> frames;
    private final TopicFollower specFollower;
    private final TopicFollower statusFollower;
    private final Map<String, CameraSpec> specs = new TreeMap<>();
    private final Map<String, CameraState> states = new TreeMap<>();

    public CameraAdmin(KafkaConnection kafka) {
        this.producer = new KafkaProducer<>(KafkaClients.producer(kafka, "facestream-match-cameras"));
        this.frames = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        TopicFollower following = null;
        try {
            following = TopicFollower.start(
                    kafka,
                    TopicCatalog.CAMERAS,
                    TopicFollower.Start.BEGINNING,
                    "api-cameras",
                    Duration.ofMillis(500),
                    r -> apply(r, specs, CameraSpec::parseFrom));
            this.statusFollower = TopicFollower.start(
                    kafka,
                    TopicCatalog.CAMERA_STATUS,
                    TopicFollower.Start.BEGINNING,
                    "api-camera-status",
                    Duration.ofMillis(500),
                    r -> apply(r, states, CameraState::parseFrom));
        } catch (RuntimeException e) {
            if (following != null) {
                following.close();
            }
            producer.close(Duration.ofSeconds(2));
            frames.close(Duration.ofSeconds(2));
            throw e;
        }
        this.specFollower = following;
    }

    private interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private <T> void apply(ConsumerRecords<String, byte[]> records, Map<String, T> into, Parser<T> parser) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null) {
                continue;
            }
            synchronized (this) {
                if (r.value() == null) {
                    into.remove(r.key());
                } else {
                    try {
                        into.put(r.key(), parser.parse(r.value()));
                    } catch (InvalidProtocolBufferException e) {
                        // a record of another writer or version: the previous value stays
                    }
                }
            }
        }
    }

    /**
     * Every camera known from the cameras topic, the status topic or recent matches, by id: its spec (masked), its
     * status from ingest and the match counts of the feed.
     */
    public List<Map<String, Object>> list(List<MatchFeed.CameraStatus> matched) {
        Map<String, MatchFeed.CameraStatus> byId = new TreeMap<>();
        matched.forEach(c -> byId.put(c.camera(), c));
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (this) {
            Set<String> ids = new TreeSet<>(byId.keySet());
            ids.addAll(specs.keySet());
            ids.addAll(states.keySet());
            for (String id : ids) {
                MatchFeed.CameraStatus m = byId.get(id);
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("camera", id);
                c.put("matches", m == null ? 0 : m.matches());
                c.put("hits", m == null ? 0 : m.hits());
                if (m != null) {
                    c.put("last_ts_us", m.lastTsUs());
                    c.put("last_match_id", m.lastMatchId());
                }
                CameraSpec spec = specs.get(id);
                if (spec != null) {
                    c.put("spec", describe(spec));
                }
                CameraState st = states.get(id);
                if (st != null) {
                    c.put("status", describe(st));
                }
                out.add(c);
            }
        }
        return out;
    }

    /** One camera's spec, masked; 404 when the cameras topic does not have it. */
    public synchronized Map<String, Object> get(String id) {
        CameraSpec spec = specs.get(id);
        if (spec == null) {
            throw ApiError.notFound("camera '" + id + "' is not in facestream.cameras (cameras of the ingest "
                    + "configuration are changed there, not through the API)");
        }
        return describe(spec);
    }

    static Map<String, Object> describe(CameraSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.getId());
        m.put("source", Redact.credentials(s.getSource()));
        m.put("paused", s.getPaused());
        m.put("options", new TreeMap<>(s.getOptionsMap()));
        m.put("updated_ts_us", s.getUpdatedTsUs());
        m.put("updated_by", s.getUpdatedBy());
        return m;
    }

    static Map<String, Object> describe(CameraState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.getState());
        m.put("origin", s.getOrigin());
        m.put("source", Redact.credentials(s.getSource()));
        m.put("fps", s.getFps());
        m.put("last_frame_ts_us", s.getLastFrameTsUs());
        m.put("reconnects", s.getReconnects());
        m.put("frames_sent", s.getFramesSent());
        m.put("last_error", Redact.credentials(s.getLastError()));
        m.put("reported_ts_us", s.getReportedTsUs());
        return m;
    }

    /** Checks a camera id by the rules every camera id follows (core CameraId); 400 naming them. */
    static String checkId(String id) {
        try {
            return CameraId.of(id).value();
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /**
     * Checks a source as ingest will read it: a URL of an allowed scheme with a host (or, for file: and v4l2:, a
     * path), or an absolute path (file, image directory, /dev/videoN). Relative paths are refused: they would be
     * resolved against the ingest process's working directory, which the API cannot know.
     */
    static String checkSource(String source) {
        if (source == null || source.isBlank()) {
            throw ApiError.badRequest("field 'source' is required: a URL (rtsp://cam/1) or an absolute path");
        }
        String s = source.trim();
        if (s.length() > MAX_SOURCE || s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw ApiError.badRequest(
                    "field 'source' must be at most " + MAX_SOURCE + " characters without control characters");
        }
        int colon = s.indexOf(':');
        if (s.startsWith("/")) {
            return s;
        }
        if (colon <= 0) {
            throw ApiError.badRequest("source '" + Redact.credentials(s) + "' is neither a URL nor an absolute path: "
                    + "use one of " + new TreeSet<>(SCHEMES) + " or a path starting with /");
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw ApiError.badRequest("source scheme '" + scheme + "' is not allowed: use one of "
                    + new TreeSet<>(SCHEMES) + " or an absolute path");
        }
        if (scheme.equals("v4l2")) {
            if (!s.substring(colon + 1).startsWith("/dev/")) {
                throw ApiError.badRequest("a v4l2 source names a device: v4l2:/dev/video0");
            }
            return s;
        }
        if (scheme.equals("file")) {
            // ingest reads file:/path as the path after the scheme; file://host/... would name another machine
            if (!s.startsWith("/", colon + 1) || s.startsWith("//", colon + 1)) {
                throw ApiError.badRequest("a file source is file:/absolute/path (or just the absolute path)");
            }
            return s;
        }
        try {
            URI u = new URI(s);
            if (scheme.equals("file") ? u.getPath() == null || u.getPath().isEmpty() : u.getHost() == null) {
                throw ApiError.badRequest(
                        "source '" + Redact.credentials(s) + "' has no " + (scheme.equals("file") ? "path" : "host"));
            }
        } catch (java.net.URISyntaxException e) {
            throw ApiError.badRequest("source '" + Redact.credentials(s) + "' is not a valid URL");
        }
        return s;
    }

    static Map<String, String> checkOptions(Map<String, String> options) {
        Map<String, String> out = new TreeMap<>();
        options.forEach((k, v) -> {
            if (!OPTIONS.contains(k)) {
                throw ApiError.badRequest("unknown camera option '" + k + "': use " + new TreeSet<>(OPTIONS));
            }
            if (v.length() > 64 || v.contains(";") || v.chars().anyMatch(ch -> ch < 0x20)) {
                throw ApiError.badRequest("camera option '" + k + "' must be a short value without ';'");
            }
            out.put(k, v.trim());
        });
        return out;
    }

    /**
     * Writes a spec: {@code beforePublish} writes the audit line first. Returns the spec as stored, masked. The
     * change is in the topic when this returns; ingest applies it within its poll interval.
     */
    public Map<String, Object> put(
            String id, String source, boolean paused, Map<String, String> options, String by, Runnable beforePublish) {
        CameraSpec spec = CameraSpec.newBuilder()
                .setId(id)
                .setSource(source)
                .setPaused(paused)
                .putAllOptions(options)
                .setUpdatedTsUs(System.currentTimeMillis() * 1000)
                .setUpdatedBy(by == null ? "" : by)
                .build();
        publish(id, spec.toByteArray(), beforePublish);
        synchronized (this) {
            specs.put(id, spec);
        }
        return describe(spec);
    }

    /** Pauses or resumes a camera of the topic, keeping its source and options. */
    public Map<String, Object> setPaused(String id, boolean paused, String by, Runnable beforePublish) {
        CameraSpec current;
        synchronized (this) {
            current = specs.get(id);
        }
        if (current == null) {
            get(id); // the 404
        }
        return put(id, current.getSource(), paused, current.getOptionsMap(), by, beforePublish);
    }

    /** Removes a camera of the topic (a tombstone): ingest stops it and forgets it. */
    public void delete(String id, Runnable beforePublish) {
        get(id);
        publish(id, null, beforePublish);
        synchronized (this) {
            specs.remove(id);
        }
    }

    private void publish(String id, byte[] value, Runnable beforePublish) {
        beforePublish.run();
        try {
            producer.send(new ProducerRecord<>(TopicCatalog.CAMERAS, id, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing camera " + id, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiError(
                    503,
                    "camera " + id + " could not be written to " + TopicCatalog.CAMERAS + " (is Kafka reachable?): "
                            + (e.getCause() == null ? e : e.getCause()));
        }
    }

    /**
     * The latest frame of a camera: the last record with its key in its partition of {@code facestream.frames}
     * (frames are keyed by camera, so the default partitioner put them there). 404 when none is left.
     */
    public synchronized byte[] snapshot(String id) {
        List<PartitionInfo> parts = frames.partitionsFor(TopicCatalog.FRAMES, Duration.ofSeconds(10));
        if (parts == null || parts.isEmpty()) {
            throw new ApiError(503, TopicCatalog.FRAMES + " does not exist: run `facestream topics`");
        }
        int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % parts.size();
        TopicPartition tp = new TopicPartition(TopicCatalog.FRAMES, partition);
        frames.assign(List.of(tp));
        long begin = frames.beginningOffsets(List.of(tp)).get(tp);
        long end = frames.endOffsets(List.of(tp)).get(tp);
        long from = end;
        // look back in growing steps: usually the camera's latest frame is among the last few records
        for (int step = 4; from > begin && end - from < SNAPSHOT_LOOKBACK; step *= 4) {
            long to = from;
            from = Math.max(begin, Math.max(end - SNAPSHOT_LOOKBACK, from - step));
            frames.seek(tp, from);
            byte[] latest = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long position = from;
            while (position < to && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : frames.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= to) {
                        position = to;
                        break;
                    }
                    position = r.offset() + 1;
                    if (id.equals(r.key()) && r.value() != null) {
                        latest = r.value();
                    }
                }
                position = Math.max(position, frames.position(tp));
            }
            if (latest != null) {
                return latest;
            }
        }
        throw ApiError.notFound("no recent frame of camera '" + id + "' in " + TopicCatalog.FRAMES);
    }

    @Override
    public void close() {
        specFollower.close();
        statusFollower.close();
        producer.close(Duration.ofSeconds(5));
        synchronized (this) {
            frames.close(Duration.ofSeconds(2));
        }
    }
}

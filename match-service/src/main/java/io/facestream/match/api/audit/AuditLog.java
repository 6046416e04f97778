package io.facestream.match.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who read which face data or changed what, from which address, through which route, and with what
 * outcome; every refusal too. One JSON object per line, hash-chained ({@link AuditChain}): each line carries its
 * sequence number, the hash of the line before it ({@code prev}) and its own hash, so an edited, removed or reordered
 * line is found by {@code facestream audit verify FILE}.
 *
 * <p>Lines are written by one thread and synced to the disk ({@code fsync}) before {@link #append}'s future completes;
 * lines that arrive together share one sync. A change is published only after its line is durable, and a failed write
 * fails the future, so the caller refuses the change: no change without its audit line. A failed write is cut off
 * again (the file keeps only whole lines); if even that fails, the log refuses every later line until a restart.
 * The file is created owner-only (mode 600). Each line is also logged on the {@code io.facestream.audit} logger, so a
 * copy can be shipped off the host and the chain's head compared there.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.facestream.audit");
    private static final Logger SELF = LoggerFactory.getLogger(AuditLog.class);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final int TAIL = 1 << 16;
    /** The project mapper, but members in the order given: seq, time, who, what, outcome, details, prev. */
    private static final ObjectMapper MAPPER =
            Json.mapper().copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

    /** A line that is durable: its sequence number and hash. */
    public record Written(long seq, String hash) {}

    private record Pending(Map<String, Object> fields, CompletableFuture<Written> done) {}

    private static final Pending STOP = new Pending(Map.of(), new CompletableFuture<>());

    private final Path file;
    private final FileChannel channel;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile long seq;
    private volatile String head;
    private volatile String broken;
    private volatile boolean closed;

    public AuditLog(Path file) {
        this.file = file.toAbsolutePath();
        try {
            Files.createDirectories(this.file.getParent());
            migrateUnchained();
            createOwnerOnly(this.file);
            warnIfOthersMayRead(this.file);
            this.channel = FileChannel.open(this.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            lock(this.channel, this.file);
            cutTornTail(this.file);
            String[] tail = lastLine(this.file);
            this.seq = Long.parseLong(tail[0]);
            this.head = tail[1];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + this.file + ": " + e.getMessage(), e);
        }
        writer = new Thread(this::run, "audit-writer");
        writer.setDaemon(true);
        writer.start();
        SELF.info("audit log {}: {} lines, head {}", this.file, seq, head);
    }

    /**
     * Queues a line (the fields in order; {@code seq}, {@code time}, {@code prev} and {@code hash} are added) and
     * returns when it is durable, or fails with {@link AuditException} when it cannot be written.
     */
    public CompletableFuture<Written> append(Map<String, ?> fields) {
        CompletableFuture<Written> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new AuditException("the audit log " + file + " is closed"));
            return done;
        }
        queue.add(new Pending(new LinkedHashMap<>(fields), done));
        return done;
    }

    /** {@link #append}, waiting: for worker threads, before a change is published. */
    public Written record(Map<String, ?> fields) {
        try {
            return append(fields).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AuditException a ? a : new AuditException(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditException("interrupted while writing the audit log " + file);
        }
    }

    public Path file() {
        return file;
    }

    /** Hash of the last durable line ({@link AuditChain#GENESIS} for an empty log). */
    public String head() {
        return head;
    }

    /** Number of lines (the last sequence number). */
    public long lines() {
        return seq;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            Pending first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (first == STOP) {
                break;
            }
            batch.add(first);
            queue.drainTo(batch, 4096);
            boolean stop = batch.remove(STOP);
            try {
                write(batch);
            } catch (RuntimeException
                    | Error e) { // the writer must outlive anything: a dead writer would hang every request
                SELF.error("audit writer: {}", e.toString(), e);
                fail(batch, "the audit log " + file + " failed: " + e);
            }
            batch.clear();
            if (stop) {
                break;
            }
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done().completeExceptionally(new AuditException("the audit log " + file + " is closed"));
        }
    }

    private void write(List<Pending> batch) {
        if (broken != null) {
            fail(batch, broken);
            return;
        }
        long nextSeq = seq;
        String prev = head;
        StringBuilder text = new StringBuilder();
        List<String> lines = new ArrayList<>(batch.size());
        List<Written> written = new ArrayList<>(batch.size());
        List<Pending> kept = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("seq", nextSeq + 1);
            line.put("time", TIME.format(Instant.now()));
            p.fields().forEach((k, v) -> {
                if (v != null && !AuditChain.RESERVED.contains(k)) {
                    line.put(k, v);
                }
            });
            line.put("prev", prev);
            String unsealed;
            try {
                unsealed = MAPPER.writeValueAsString(line);
            } catch (JsonProcessingException e) {
                p.done()
                        .completeExceptionally(new AuditException(
                                "an audit line cannot be written as JSON: " + e.getOriginalMessage()));
                continue;
            }
            nextSeq++;
            kept.add(p);
            String json = AuditChain.seal(unsealed);
            prev = AuditChain.hashOf(unsealed);
            lines.add(json);
            written.add(new Written(nextSeq, prev));
            text.append(json).append('\n');
        }
        if (kept.isEmpty()) {
            return;
        }
        long before = -1;
        try {
            before = channel.size();
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            String why = "cannot write the audit log " + file + ": " + e;
            try {
                if (before >= 0) {
                    channel.truncate(before);
                    channel.force(false);
                }
            } catch (IOException | RuntimeException cut) {
                broken = why + "; cutting off the partial line failed too (" + cut
                        + "): no line is written until a restart";
            }
            SELF.error("{}", broken != null ? broken : why);
            fail(kept, why);
            return;
        }
        seq = nextSeq;
        head = prev;
        for (int i = 0; i < kept.size(); i++) {
            LOG.info(lines.get(i));
            kept.get(i).done().complete(written.get(i));
        }
    }

    private static void fail(List<Pending> batch, String why) {
        for (Pending p : batch) {
            p.done().completeExceptionally(new AuditException(why));
        }
    }

    /** One writer per file: a second process appending to the same log would fork the chain. */
    private static void lock(FileChannel channel, Path file) throws IOException {
        java.nio.channels.FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            return; // a file system (or device) without locks
        }
        if (lock == null) {
            channel.close();
            throw new IOException(
                    "another process (or service) is writing it: give each service its own api.audit-log");
        }
    }

    /**
     * A line that was being written when the process died (no newline yet) was never synced and never answered: its
     * change was not made. It is cut off, with a warning, and the chain goes on from the last whole line.
     */
    private static void cutTornTail(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0 || lastText(file) != null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            ch.truncate(keep);
            ch.force(true);
            SELF.warn(
                    "the audit log {} ended in an incomplete line ({} bytes, a crash while writing): cut off; its change was "
                            + "not made, it was never synced",
                    file,
                    size - keep);
        }
    }

    /** A log written before lines were chained cannot be continued: it is kept beside, under a new name. */
    private void migrateUnchained() throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return;
        }
        String last = lastText(file);
        if (last == null || last.contains("\"hash\":\"")) {
            return;
        }
        Path aside = file.resolveSibling(file.getFileName() + "."
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.now()) + ".unchained");
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        SELF.warn(
                "the audit log {} was written before lines were hash-chained: kept as {}; a new, chained log starts",
                file,
                aside);
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException exists) {
            // appended to
        } catch (UnsupportedOperationException notPosix) {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException exists) {
                // appended to
            }
        }
    }

    private static void warnIfOthersMayRead(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ)
                    || p.contains(PosixFilePermission.OTHERS_READ)
                    || p.contains(PosixFilePermission.GROUP_WRITE)
                    || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                SELF.warn(
                        "the audit log {} is readable or writable by others ({}): chmod 600 it",
                        file,
                        PosixFilePermissions.toString(p));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or a device such as /dev/full
        }
    }

    /** {seq, hash} of the last line, {0, GENESIS} for an empty file; a torn last line is refused. */
    private static String[] lastLine(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return new String[] {"0", AuditChain.GENESIS};
        }
        String last = lastText(file);
        JsonNode n;
        try {
            n = Json.mapper().readTree(last);
        } catch (IOException e) {
            throw new IOException("its last line is not JSON: check it with `facestream audit verify " + file + "`");
        }
        if (n == null || !n.path("seq").canConvertToLong() || !n.path("hash").isTextual()) {
            throw new IOException(
                    "its last line has no seq and hash: check it with `facestream audit verify " + file + "`");
        }
        if (!AuditChain.hashOf(AuditChain.unsealed(last)).equals(n.get("hash").asText())) {
            SELF.error(
                    "the last line of the audit log {} does not match its hash: it was edited; the chain goes on from the "
                            + "hash it shows, and `facestream audit verify` names the line",
                    file);
        }
        return new String[] {Long.toString(n.get("seq").asLong()), n.get("hash").asText()};
    }

    /** The last line without its newline, or null when the file does not end with one. */
    private static String lastText(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            int n = (int) Math.min(size, TAIL);
            ByteBuffer buf = ByteBuffer.allocate(n);
            in.read(buf, size - n);
            byte[] b = buf.array();
            if (b[n - 1] != '\n') {
                return null;
            }
            int start = n - 2;
            while (start >= 0 && b[start] != '\n') {
                start--;
            }
            return new String(b, start + 1, n - 2 - start, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            SELF.warn("closing the audit log {}: {}", file, e.toString());
        }
    }
}

package io.facestream.match.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facestream.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's chain: lines written (also concurrently, across restarts) verify; an edited line, an edited line
 * whose hash was recomputed, removed lines, reordered lines and a cut-off tail are each named; a log that cannot be
 * written (a full disk) fails the append and leaves no partial line.
 */
class AuditChainTest {
    @TempDir
    Path dir;

    private Path write(int n) throws Exception {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(file)) {
            List<CompletableFuture<AuditLog.Written>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pending.add(log.append(Map.of(
                        "principal",
                        "alice",
                        "action",
                        "search",
                        "details",
                        Map.of("i", i, "note", "é \"quoted\"\n"))));
            }
            for (CompletableFuture<AuditLog.Written> f : pending) {
                f.get();
            }
        }
        return file;
    }

    private static AuditChain.Report verify(Path file) throws Exception {
        return AuditChain.verify(file, null);
    }

    @Test
    void writtenLinesVerifyAndTheChainGoesOnAfterARestart() throws Exception {
        Path file = write(50);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        AuditChain.Report first = verify(file);
        assertTrue(first.intact(), first.problem());
        assertEquals(50, first.lines());
        try (AuditLog again = new AuditLog(file)) {
            assertEquals(50, again.lines());
            assertEquals(first.head(), again.head());
            AuditLog.Written w = again.record(Map.of("action", "restart"));
            assertEquals(51, w.seq());
            assertEquals(w.hash(), again.head());
        }
        AuditChain.Report after = verify(file);
        assertTrue(after.intact(), after.problem());
        assertEquals(51, after.lines());
        assertTrue(AuditChain.verify(file, after.head()).intact());
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).startsWith("{\"seq\":1,\"time\":\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"prev\":\"" + AuditChain.GENESIS + "\",\"hash\":\""), lines.get(0));
    }

    @Test
    void anEditedLineIsNamed() throws Exception {
        Path file = write(10);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(6, lines.get(6).replace("\"alice\"", "\"bob\""));
        Files.write(file, lines);
        AuditChain.Report r = verify(file);
        assertEquals(7, r.line());
        assertTrue(r.problem().contains("line 7") && r.problem().contains("edited"), r.problem());
    }

    @Test
    void anEditedLineWithARecomputedHashIsNamed() throws Exception {
        Path file = write(10);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(3, AuditChain.seal(AuditChain.unsealed(lines.get(3)).replace("\"alice\"", "\"mallory\"")));
        Files.write(file, lines);
        AuditChain.Report r = verify(file);
        assertEquals(4, r.line());
        assertTrue(r.problem().contains("line 4") && r.problem().contains("recomputed"), r.problem());
    }

    @Test
    void removedLinesAreNamed() throws Exception {
        Path file = write(10);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(4);
        lines.remove(4);
        Files.write(file, lines);
        AuditChain.Report r = verify(file);
        assertEquals(5, r.line());
        assertEquals("records 5 to 6 were removed before line 5", r.problem());
    }

    @Test
    void reorderedLinesAreNamed() throws Exception {
        Path file = write(10);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        Collections.swap(lines, 2, 5);
        Files.write(file, lines);
        AuditChain.Report r = verify(file);
        assertEquals(3, r.line());
        assertEquals("line 3 is out of order: it holds record 6, but record 3 is on line 6", r.problem());
    }

    @Test
    void aCutOffTailIsFoundWithTheHeadKeptElsewhere() throws Exception {
        Path file = write(10);
        String head = verify(file).head();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        Files.write(file, lines.subList(0, 8));
        assertTrue(verify(file).intact(), "without the head, a cut-off tail looks like a shorter log");
        AuditChain.Report r = AuditChain.verify(file, head);
        assertFalse(r.intact());
        assertTrue(r.problem().contains("removed from the end"), r.problem());
    }

    @Test
    void aLineThatIsNotARecordIsNamed() throws Exception {
        Path file = write(3);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(1, "hello");
        Files.write(file, lines);
        AuditChain.Report r = verify(file);
        assertEquals(2, r.line());
        assertTrue(r.problem().contains("not an audit record"), r.problem());
    }

    @Test
    void aLineThatCannotBeWrittenFailsAloneAndTheWriterGoesOn() throws Exception {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(file)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> log.append(Map.of("details", new Object())).get());
            assertTrue(e.getCause() instanceof AuditException, e.toString());
            assertEquals(1, log.record(Map.of("action", "search")).seq());
        }
        assertTrue(verify(file).intact());
    }

    @Test
    void aFullDiskFailsTheAppend() throws Exception {
        try (AuditLog full = new AuditLog(Path.of("/dev/full"))) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> full.append(Map.of("action", "gallery.create")).get());
            assertTrue(e.getCause() instanceof AuditException, e.toString());
            assertTrue(
                    e.getCause().getMessage().contains("cannot write the audit log /dev/full"),
                    e.getCause().getMessage());
            assertThrows(AuditException.class, () -> full.record(Map.of("action", "gallery.delete")));
            assertEquals(0, full.lines());
        }
    }

    @Test
    void aLogFromBeforeTheChainIsKeptAsideAndANewOneStarts() throws Exception {
        Path file = dir.resolve("old.log");
        ObjectNode old = Json.mapper()
                .createObjectNode()
                .put("ts_us", 1)
                .put("by", "root")
                .put("action", "gallery.create");
        Files.writeString(file, old + "\n");
        try (AuditLog log = new AuditLog(file)) {
            assertEquals(0, log.lines());
            log.record(Map.of("action", "search"));
        }
        assertTrue(verify(file).intact());
        try (var s = Files.list(dir)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("old.log.")
                    && p.toString().endsWith(".unchained")));
        }
    }

    @Test
    void aLineTornByACrashIsCutOffAndTheChainGoesOn() throws Exception {
        Path file = write(2);
        Files.writeString(file, "{\"seq\":3,\"time\":", java.nio.file.StandardOpenOption.APPEND);
        try (AuditLog log = new AuditLog(file)) {
            assertEquals(2, log.lines());
            assertEquals(3, log.record(Map.of("action", "search")).seq());
        }
        assertTrue(verify(file).intact(), verify(file).problem());
    }

    @Test
    void oneWriterPerFile() throws Exception {
        Path file = dir.resolve("shared.log");
        try (AuditLog first = new AuditLog(file)) {
            Exception e = assertThrows(RuntimeException.class, () -> new AuditLog(file));
            assertTrue(e.getMessage().contains("another process"), e.getMessage());
            first.record(Map.of("action", "search"));
        }
    }
}

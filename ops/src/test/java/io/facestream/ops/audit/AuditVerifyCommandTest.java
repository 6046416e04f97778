package io.facestream.ops.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.match.api.audit.AuditLog;
import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code facestream audit verify FILE}: 0 for an intact log, non-zero naming the first edited, removed or reordered line. */
class AuditVerifyCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int exit = FacestreamCli.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void intactEditedRemovedAndReorderedLogs() throws Exception {
        Path file = dir.resolve("audit.log");
        String head;
        try (AuditLog log = new AuditLog(file)) {
            for (int i = 0; i < 8; i++) {
                log.record(Map.of(
                        "principal",
                        "desk",
                        "action",
                        "subject.enrol",
                        "outcome",
                        "ok",
                        "details",
                        Map.of("subject_id", "s" + i)));
            }
            head = log.head();
        }
        Run ok = run("audit", "verify", file.toString(), "--head", head);
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("8 records, chain intact; head " + head), ok.out());

        List<String> lines = Files.readAllLines(file);
        Path edited = dir.resolve("edited.log");
        List<String> e = new ArrayList<>(lines);
        e.set(4, e.get(4).replace("\"s4\"", "\"someone-else\""));
        Files.write(edited, e);
        Run r1 = run("audit", "verify", edited.toString());
        assertEquals(1, r1.exit());
        assertTrue(r1.err().contains("line 5") && r1.err().contains("edited"), r1.err());

        Path removed = dir.resolve("removed.log");
        List<String> m = new ArrayList<>(lines);
        m.remove(2);
        Files.write(removed, m);
        Run r2 = run("audit", "verify", removed.toString());
        assertEquals(1, r2.exit());
        assertTrue(r2.err().contains("line 3: record 3 was removed before line 3"), r2.err());

        Path reordered = dir.resolve("reordered.log");
        List<String> o = new ArrayList<>(lines);
        o.add(6, o.remove(1));
        Files.write(reordered, o);
        Run r3 = run("audit", "verify", reordered.toString());
        assertEquals(1, r3.exit());
        assertTrue(r3.err().contains("line 2") && r3.err().contains("out of order"), r3.err());

        Path cut = dir.resolve("cut.log");
        Files.write(cut, lines.subList(0, 7));
        Run r4 = run("audit", "verify", cut.toString(), "--head", head);
        assertEquals(1, r4.exit());
        assertTrue(r4.err().contains("removed from the end"), r4.err());
    }
}

package io.facestream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command's options are checked before any process starts; the campaign itself is {@link ChaosCampaignTest}. */
class ChaosCommandTest {
    @Test
    void anUnknownFaultIsRefusedNamingTheKnownOnes() {
        String err = runFailing("chaos", "--faults", "embed-kill,cpu-burn");
        assertTrue(err.contains("unknown fault 'cpu-burn'") && err.contains(String.join(",", Fault.NAMES)), err);
    }

    @Test
    void zeroKillsAndABadDurationAreRefused() {
        assertTrue(runFailing("chaos", "--kills", "0").contains("--kills must be at least 1"));
        assertTrue(runFailing("chaos", "--broker-down", "soon").contains("--broker-down: 'soon' is not a duration"));
    }

    @Test
    void theFaultNamesAreTheOnesTheDocsTableLists() throws Exception {
        String doc = java.nio.file.Files.readString(
                java.nio.file.Path.of("").toAbsolutePath().getParent().resolve("docs/reliability.md"));
        for (String name : Fault.NAMES) {
            assertTrue(doc.contains("| `" + name + "` |"), "docs/reliability.md's fault table has a row for " + name);
        }
        assertEquals(
                List.of("embed-kill", "match-kill", "broker-bounce", "broker-down", "embed-pause", "disk-full"),
                Fault.NAMES);
    }

    private static String runFailing(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = FacestreamCli.run(args);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, text);
        return text;
    }
}

package io.facestream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-full fault's small disk: a process started through {@link DiskJail#enter()} sees the tmpfs at the mount
 * point (and this JVM does not); after {@link DiskJail#fill()} no write of it succeeds, after {@link DiskJail#free()}
 * they do again, and what was written before stays, as on a real volume.
 */
class DiskJailTest {
    @TempDir
    Path dir;

    @Test
    void aProcessInsideSeesASmallDiskThatFillsAndFreesAgain() throws Exception {
        Path mount = dir.resolve("disk");
        try (DiskJail jail = DiskJail.open(mount, 8)) {
            assertEquals("", run(jail, "echo before > \"$0\"/kept.txt"), "a write inside the jail works");
            assertFalse(Files.exists(mount.resolve("kept.txt")), "outside the namespace the mount is not seen");
            assertTrue(run(jail, "df -k \"$0\" | tail -1").contains("8192"), "an 8 MB disk inside the jail");

            long written = jail.fill();
            assertTrue(written > 6L << 20 && written <= 8L << 20, "filled to the brim: " + written + " bytes");
            String refused = run(jail, "head -c 4096 /dev/zero > \"$0\"/new.bin || echo refused");
            assertTrue(refused.contains("No space left on device") && refused.contains("refused"), refused);

            jail.free();
            assertEquals(
                    "before",
                    run(jail, "echo after > \"$0\"/new.txt && cat \"$0\"/kept.txt")
                            .trim());
        }
    }

    @Test
    void theReplicaCountsAsAppliedOnlyPastTheRecord() {
        String body = "{\"status\":\"UP\",\"components\":{\"match.gallery\":{\"status\":\"UP\","
                + "\"detail\":\"applying; next offset 9\"}}}";
        assertTrue(DiskFull.appliedPast(body, 8));
        assertFalse(DiskFull.appliedPast(body, 9), "next offset 9 has not applied offset 9");
        assertFalse(DiskFull.appliedPast("{\"status\":\"DOWN\"}", 0));
        assertFalse(DiskFull.appliedPast(null, 0));
    }

    /** Runs {@code script} with sh inside the jail, the mount point as {@code $0}; returns stdout and stderr. */
    private static String run(DiskJail jail, String script) throws Exception {
        List<String> cmd = new ArrayList<>(jail.enter());
        cmd.addAll(List.of("sh", "-c", script, jail.mountPoint().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}

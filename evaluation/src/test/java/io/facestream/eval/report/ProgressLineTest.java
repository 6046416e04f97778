package io.facestream.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    /** A fake clock: 1,000 faces after 2 s → 500 faces/s; 9,000 left → ETA 18 s. */
    @Test
    void printsRateAndEtaAtMostEveryInterval() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(
                new PrintStream(bytes, true, StandardCharsets.UTF_8), "ijbs", 1_000_000_000L, () -> now[0]);
        line.update("faces", 1, 10_000);
        now[0] = 500_000_000L;
        line.update("faces", 300, 10_000);
        now[0] = 2_000_000_000L;
        line.update("faces", 1_000, 10_000);
        now[0] = 20_000_000_000L;
        line.update("faces", 10_000, 10_000);
        assertEquals(
                "ijbs faces: 1,000/10,000 (10.0%)  500 faces/s  ETA 0:18\n"
                        + "ijbs faces: 10,000/10,000 (100.0%)  500 faces/s  done in 0:20\n",
                bytes.toString(StandardCharsets.UTF_8));
    }
}

package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The measuring order of peer benchmarks and how their rounds are summarised. */
class RoundsTest {
    @Test
    void everyOtherRoundRunsTheCellsInReverse() {
        List<String> cells = List.of("a", "b", "c");
        assertEquals(List.of("a", "b", "c"), Rounds.order(cells, 0));
        assertEquals(List.of("c", "b", "a"), Rounds.order(cells, 1));
        assertEquals(List.of("a", "b", "c"), Rounds.order(cells, 2));
        assertEquals(List.of("a", "b", "c", "c", "b", "a", "a", "b", "c"), Rounds.schedule(cells, 3));
        assertThrows(IllegalArgumentException.class, () -> Rounds.schedule(cells, 0));
    }

    @Test
    void embedRoundsAlternateEnginesAndThreadCountsAndIncludeThePeakEveryRound() {
        List<EmbedBenchCommand.Cell> round = EmbedBenchCommand.cells(true);
        List<EmbedBenchCommand.Cell> all = Rounds.schedule(round, 3);
        assertEquals(3 * round.size(), all.size());
        for (int r = 0; r < 3; r++) {
            List<EmbedBenchCommand.Cell> cells = all.subList(r * round.size(), (r + 1) * round.size());
            List<String> engines = new ArrayList<>();
            List<Integer> threads = new ArrayList<>();
            int matmuls = 0;
            for (EmbedBenchCommand.Cell c : cells) {
                if (c.isMatmul()) {
                    matmuls++;
                } else {
                    engines.add(c.engine().label);
                    threads.add(c.threads());
                }
            }
            assertEquals(2, matmuls, "the MatMul peak at 1 and 2 threads is measured in every round");
            for (int i = 0; i < engines.size(); i++) {
                // ONNX Runtime / OpenCV / ONNX Runtime / OpenCV ... (starting with OpenCV in reversed rounds)
                String first = r % 2 == 0 ? "onnxruntime" : "opencv-dnn";
                String second = r % 2 == 0 ? "opencv-dnn" : "onnxruntime";
                assertEquals(i % 2 == 0 ? first : second, engines.get(i), "round " + r + " position " + i);
            }
            // the 1- and 2-thread rows alternate batch by batch, never all 1-thread rows first
            List<Integer> expected = r % 2 == 0
                    ? List.of(1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2)
                    : List.of(2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1);
            assertEquals(expected, threads, "round " + r);
        }
        assertEquals(2 + 6, EmbedBenchCommand.cells(false).size(), "without the peer: peaks and ONNX Runtime rows");
    }

    @Test
    void summaryIsTheMedianWithMinMaxAndCount() {
        Rounds.Summary odd = Rounds.Summary.of(List.of(5.0, 1.0, 3.0));
        assertEquals(new Rounds.Summary(3.0, 1.0, 5.0, 3), odd);
        assertEquals("1.0–5.0", odd.range(1));
        Rounds.Summary even = Rounds.Summary.of(List.of(4.0, 1.0, 2.0, 10.0));
        assertEquals(3.0, even.median(), 1e-12, "even count: the mean of the middle two");
        assertEquals(1.0, even.min());
        assertEquals(10.0, even.max());
        assertEquals(4, even.n());
        assertEquals("1.00–10.00", even.range(2));
        assertEquals(new Rounds.Summary(7.0, 7.0, 7.0, 1), Rounds.Summary.of(List.of(7.0)));
        assertThrows(IllegalArgumentException.class, () -> Rounds.Summary.of(List.of()));
    }
}

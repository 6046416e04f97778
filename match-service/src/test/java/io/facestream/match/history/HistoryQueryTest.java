package io.facestream.match.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Match;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading {@code /api/history}'s parameters, and its cursor: what is accepted, and what each refusal says to do. */
class HistoryQueryTest {
    private static HistoryQuery parse(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return HistoryQuery.parse(m::get, 1000);
    }

    private static String refusal(String... kv) {
        return assertThrows(IllegalArgumentException.class, () -> parse(kv)).getMessage();
    }

    @Test
    void filtersAndTimesAreRead() {
        HistoryQuery q = parse(
                "camera",
                "door",
                "subject",
                "alice",
                "gallery",
                "watchlist",
                "decision",
                "hit",
                "stage",
                "Final",
                "late",
                "false",
                "from",
                "2026-12-03T10:00:00Z",
                "to",
                "1796292000500",
                "limit",
                "20");
        assertEquals("door", q.camera());
        assertEquals("alice", q.subject());
        assertEquals("watchlist", q.gallery());
        assertEquals(Match.Decision.HIT, q.decision());
        assertEquals(Match.Stage.FINAL, q.stage());
        assertEquals(Boolean.FALSE, q.late());
        assertEquals(1_796_292_000_000_000L, q.fromUs(), "ISO-8601 instant to epoch µs");
        assertEquals(1_796_292_000_500_000L, q.toUs(), "epoch ms to epoch µs");
        assertEquals(20, q.limit());
        assertNull(q.after());
        assertEquals(123L, parse("from_us", "123").fromUs(), "epoch µs, as /api/matches takes");

        HistoryQuery all = parse();
        assertEquals(HistoryQuery.DEFAULT_LIMIT, all.limit());
        assertNull(all.camera());
        assertNull(all.fromUs());
        assertEquals(7, HistoryQuery.parse(k -> null, 7).limit(), "the default page never exceeds max-page");
    }

    @Test
    void theCursorRoundTripsAndIsOpaque() {
        HistoryQuery.Cursor c = new HistoryQuery.Cursor(1_764_756_000_123_456L, "door/17/FINAL");
        String text = c.encode();
        assertTrue(text.matches("[A-Za-z0-9_-]+"), "URL-safe without escaping: " + text);
        assertEquals(c, HistoryQuery.Cursor.decode(text));
        assertEquals(c, parse("cursor", text).after());
        HistoryQuery.Cursor odd = new HistoryQuery.Cursor(5, "cam/1:2/PROVISIONAL");
        assertEquals(odd, HistoryQuery.Cursor.decode(odd.encode()), "a ':' in the match id survives");
    }

    @Test
    void badInputIsRefusedSayingWhatToSend() {
        for (String bad : new String[] {
            "not base64 !",
            Base64.getUrlEncoder().encodeToString("v2:1:x".getBytes()),
            Base64.getUrlEncoder().encodeToString("v1:abc:door/1/FINAL".getBytes()),
            Base64.getUrlEncoder().encodeToString("v1:12".getBytes())
        }) {
            String e = refusal("cursor", bad);
            assertTrue(e.contains("is not a cursor of this API") && e.contains("pass the next_cursor"), e);
        }
        String order = refusal("from", "2026-12-03T11:00:00Z", "to", "2026-12-03T10:00:00Z");
        assertTrue(order.contains("is after to") && order.contains("swap them"), order);
        assertTrue(refusal("from_us", "20", "to_us", "10").contains("is after to"));

        String decision = refusal("decision", "MAYBE");
        assertEquals("decision = 'MAYBE' is not one of [HIT, UNKNOWN]: send one of them", decision);
        assertTrue(refusal("stage", "done").contains("[PROVISIONAL, FINAL]"));
        assertTrue(refusal("late", "perhaps").contains("is not true or false"));

        assertTrue(refusal("limit", "0").contains("send 1 to 1000"));
        assertTrue(refusal("limit", "1001").contains("send 1 to 1000 and page with cursor"));
        assertTrue(refusal("limit", "ten").contains("is not an integer"));

        String time = refusal("from", "yesterday");
        assertTrue(time.contains("ISO-8601") && time.contains("epoch milliseconds"), time);
        assertTrue(refusal("to_us", "1.5").contains("epoch microseconds"));
        assertTrue(refusal("from", "2026-12-03T10:00:00Z", "from_us", "1").contains("send one of them"));
    }
}

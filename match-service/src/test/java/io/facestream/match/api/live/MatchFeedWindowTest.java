package io.facestream.match.api.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recent-matches window on its own: it keeps the newest decisions by end time (a decision replayed late after a
 * restart does not push a newer one out), lists them by arrival, newest first, replaces a replayed twin instead of
 * holding it twice, forgets an evicted decision's crop, and tells live listeners only of live decisions.
 */
class MatchFeedWindowTest {
    private static final long T0 = System.currentTimeMillis() * 1000;

    private static Match decision(String id, long endOffsetUs) {
        long end = T0 + endOffsetUs;
        return new Match(
                "cam/" + id,
                id,
                "cam",
                end - 500,
                end,
                Match.Stage.FINAL,
                Match.Decision.HIT,
                0.4,
                "watchlist",
                new Match.ModelId("mobilefacenet", "1"),
                List.of(new Match.Candidate("alice", "m1", 0.8)),
                3,
                "faces/0/" + id);
    }

    private static List<String> listed(MatchFeed feed) {
        return feed.query(new MatchQuery(null, null, null, null, null, null, null, null, 0, 100)).matches().stream()
                .map(Match::trackId)
                .toList();
    }

    @Test
    void keepsTheNewestByEndTimeAndListsByArrival() {
        // never started: nothing is read from the broker, the test adds what the follower would
        MatchFeed feed =
                new MatchFeed(KafkaConnection.of("127.0.0.1:1"), 3, Duration.ofHours(24), java.time.Clock.systemUTC());
        List<String> heardLive = new ArrayList<>();
        List<String> heardAll = new ArrayList<>();
        feed.listen(m -> heardLive.add(m.trackId()));
        feed.listenAll(m -> heardAll.add(m.trackId()));

        feed.add(decision("1", 100), false);
        feed.add(decision("2", 300), false);
        feed.add(decision("3", 200), false);
        assertEquals(List.of("3", "2", "1"), listed(feed), "newest arrival first");

        // a decision older than all three arrives last (another partition replayed behind): it is the one left out
        feed.add(decision("0", 50), false);
        assertEquals(List.of("3", "2", "1"), listed(feed));
        assertFalse(feed.find("cam/0").isPresent());
        assertFalse(feed.isRecentBestFace("faces/0/0"), "an evicted decision's crop is not served");

        // a newer one pushes out the oldest by time (1), not the first to arrive
        feed.add(decision("4", 400), true);
        assertEquals(List.of("4", "3", "2"), listed(feed));
        assertFalse(feed.isRecentBestFace("faces/0/1"));
        assertTrue(feed.isRecentBestFace("faces/0/4"));

        // the same decision again (a replay after a restart): replaced, not held twice
        feed.add(decision("3", 200), false);
        assertEquals(List.of("3", "4", "2"), listed(feed));
        assertEquals(
                3,
                feed.query(new MatchQuery(null, null, null, null, null, null, null, null, 0, 100))
                        .total());

        assertEquals(List.of("4"), heardLive, "live listeners hear live decisions only");
        assertEquals(List.of("1", "2", "3", "0", "4", "3"), heardAll, "listenAll hears the replay too");
    }
}

package io.facestream.ops.chaos;

import java.util.Locale;

/**
 * How the broker faults take the broker away: SIGTERM (it shuts down in order) or SIGKILL (its logs are recovered at
 * start), or the two in turn, SIGKILL on odd runs.
 *
 * <p>Why a campaign may want only clean stops: with the single embedded broker of Kafka 4.3.1 killed during a
 * transaction's commit, the restarted broker was seen to complete that transaction with a commit marker on one of its
 * partitions and none on another (docs/reliability.md, "A broker killed during a commit"), so a frame's faces were
 * committed without its consumed offsets (embedded again: a duplicate) or the offsets without the faces (a partition
 * whose open transaction never ends: lost, and every later record there stuck). That is the broker's recovery, not the
 * services', and a campaign that must pass every time (the one in CI) cannot include it; the command alternates.
 */
enum BrokerStop {
    ALTERNATE,
    CLEAN,
    KILL;

    /** Whether run {@code run} (1-based) stops the broker cleanly. */
    boolean clean(int run) {
        return switch (this) {
            case CLEAN -> true;
            case KILL -> false;
            case ALTERNATE -> run % 2 == 0;
        };
    }

    static BrokerStop parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--broker-stop '" + text + "': use alternate (SIGKILL on odd runs), clean (SIGTERM) or kill");
        }
    }
}

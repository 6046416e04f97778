package io.facestream.ops.chaos;

import java.util.Random;

/**
 * SIGKILL of the match service while faces keep arriving, and its restart on the same state directory: Kafka
 * Streams' exactly-once must neither lose nor repeat a track's FINAL decision.
 */
record MatchKill() implements Fault {
    static final String NAME = "match-kill";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome inject(Rig rig, Random random, int run) throws InterruptedException {
        long at = System.currentTimeMillis();
        rig.match.kill();
        rig.match.start();
        return new Outcome("kill -9 match, restarted", at, at, null);
    }
}

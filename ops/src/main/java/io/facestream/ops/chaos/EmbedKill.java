package io.facestream.ops.chaos;

import java.util.Random;

/**
 * SIGKILL of one of the two embed instances (chosen at random) in the middle of its batches, and its restart with the
 * same instance id: its open transaction is aborted when the restarted producer fences it, and the frames of that
 * batch are read again by whichever instance owns the partition next.
 */
record EmbedKill() implements Fault {
    static final String NAME = "embed-kill";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome inject(Rig rig, Random random, int run) throws InterruptedException {
        Child victim = rig.embeds.get(random.nextInt(rig.embeds.size()));
        long at = System.currentTimeMillis();
        victim.kill();
        victim.start();
        return new Outcome("kill -9 " + victim.name() + ", restarted", at, at, null);
    }
}

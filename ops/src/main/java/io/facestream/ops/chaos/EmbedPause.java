package io.facestream.ops.chaos;

import java.time.Duration;
import java.util.Random;

/**
 * SIGSTOP of one embed instance for longer than its consumer session timeout (the group gives its partitions away),
 * a third instance started meanwhile, then SIGCONT of the old one: the resumed instance is a zombie of an older group
 * generation, so its batch in flight must be refused (its offsets cannot be committed in a transaction) and aborted,
 * never written next to the new owner's.
 */
record EmbedPause() implements Fault {
    static final String NAME = "embed-pause";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome inject(Rig rig, Random random, int run) throws InterruptedException {
        Child victim = rig.embeds.get(random.nextInt(rig.embeds.size()));
        long at = System.currentTimeMillis();
        victim.pause();
        Child third = rig.embed("embed-c" + run);
        rig.addExtra(third);
        third.start();
        // past the session timeout, and the third instance in the group, before the old one wakes up
        Thread.sleep(rig.sessionTimeout.toMillis() + 3_000);
        boolean ready = third.awaitReady(Duration.ofSeconds(120));
        victim.resume();
        return new Outcome(
                "kill -STOP " + victim.name() + " for " + (System.currentTimeMillis() - at) / 1000 + " s, "
                        + third.name() + " started, kill -CONT",
                at,
                at,
                ready ? null : third.name() + " did not become ready");
    }

    @Override
    public void after(Rig rig) throws InterruptedException {
        for (Child c : rig.services()) {
            if (c.name().startsWith("embed-c")) {
                c.stop(Duration.ofSeconds(30));
                rig.removeExtra(c);
            }
        }
    }
}

package io.facestream.ops.chaos;

import java.time.Duration;
import java.util.Random;

/**
 * The broker stopped and started again at once during the services' transactions: a clean stop (SIGTERM, the broker
 * shuts down in order) or SIGKILL (its log is recovered at start), as {@link BrokerStop} says. Open transactions either
 * commit or abort as a whole; the services retry and go on.
 */
record BrokerBounce(BrokerStop stop) implements Fault {
    static final String NAME = "broker-bounce";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome inject(Rig rig, Random random, int run) throws InterruptedException {
        boolean clean = stop.clean(run);
        long at = System.currentTimeMillis();
        if (clean) {
            rig.broker.stop(Duration.ofSeconds(60));
        } else {
            rig.broker.kill();
        }
        rig.startBroker();
        return new Outcome(
                (clean ? "broker stopped cleanly" : "kill -9 broker") + ", restarted",
                at,
                System.currentTimeMillis(),
                null);
    }
}

package io.facestream.ops.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The broker away for a while (SIGKILL or a clean stop, as {@link BrokerStop} says): every service's readiness
 * ({@code GET /health/ready}) must turn false while it is away, and processing must resume within 60 s of its return.
 */
record BrokerDown(Duration down, BrokerStop stop) implements Fault {
    static final String NAME = "broker-down";
    /** The longest a service may take to process again after the broker is back. */
    static final Duration RESUME_LIMIT = Duration.ofSeconds(60);

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
        long until = System.currentTimeMillis() + down.toMillis();
        List<Child> services = rig.services();
        boolean[] sawNotReady = new boolean[services.size()];
        while (System.currentTimeMillis() < until) {
            for (int i = 0; i < services.size(); i++) {
                if (Boolean.FALSE.equals(services.get(i).ready())) {
                    sawNotReady[i] = true;
                }
            }
            Thread.sleep(250);
        }
        List<String> stayedReady = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            if (!sawNotReady[i]) {
                stayedReady.add(services.get(i).name());
            }
        }
        rig.startBroker();
        String problem = stayedReady.isEmpty()
                ? null
                : "readiness never turned false while the broker was away " + down.toSeconds() + " s: " + stayedReady;
        return new Outcome(
                (clean ? "broker stopped cleanly" : "kill -9 broker") + " for " + down.toSeconds()
                        + " s (every service not ready meanwhile: " + (problem == null) + "), restarted",
                at,
                System.currentTimeMillis(),
                problem);
    }
}

package io.facestream.ops.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One kind of fault the campaign injects into the running {@link Rig}, while a {@link Workload} is being produced.
 * The campaign measures recovery from {@link Outcome#recoverFromMs()} (the moment the fault hit for a process fault,
 * the broker's return for a broker fault) until output of input sent after the fault began arrives.
 */
sealed interface Fault permits EmbedKill, MatchKill, BrokerBounce, BrokerDown, EmbedPause, DiskFull {
    /** The names {@code --faults} accepts, in the campaign's order. */
    List<String> NAMES =
            List.of(EmbedKill.NAME, MatchKill.NAME, BrokerBounce.NAME, BrokerDown.NAME, EmbedPause.NAME, DiskFull.NAME);

    String name();

    /** Injects the fault and ends it (restart, broker back, process resumed); returns when the rig is whole again. */
    Outcome inject(Rig rig, Random random, int run) throws InterruptedException;

    /** After the run is counted: undo what the fault added to the rig (an extra instance). */
    default void after(Rig rig) throws InterruptedException {}

    /**
     * @param what          what was done, for the progress line
     * @param faultAtMs     wall clock when the fault began: input sent from then on must come out again
     * @param recoverFromMs wall clock the recovery time is measured from (the fault, or the broker's return)
     * @param problem       a check of the fault itself that failed (null = none), e.g. readiness that never turned false
     */
    record Outcome(String what, long faultAtMs, long recoverFromMs, String problem) {}

    static Fault named(String name, Duration brokerDown, BrokerStop brokerStop) {
        return switch (name) {
            case EmbedKill.NAME -> new EmbedKill();
            case MatchKill.NAME -> new MatchKill();
            case BrokerBounce.NAME -> new BrokerBounce(brokerStop);
            case BrokerDown.NAME -> new BrokerDown(brokerDown, brokerStop);
            case EmbedPause.NAME -> new EmbedPause();
            case DiskFull.NAME -> new DiskFull();
            default ->
                throw new IllegalArgumentException(
                        "unknown fault '" + name + "'; use some of " + String.join(",", NAMES));
        };
    }
}

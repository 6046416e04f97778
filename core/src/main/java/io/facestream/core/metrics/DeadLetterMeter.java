package io.facestream.core.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * {@code facestream_dlq_records_total{stage,reason}}: every record a facestream process writes to
 * {@code facestream.dlq}, by the stage that refused it ({@code fs.dlq.stage}) and a short reason code. The code is
 * not the dead letter's reason text (which names offsets, times and exception messages): it is one of a few fixed
 * words per stage, so the series stay few; anything that is not such a word is counted as {@value BoundedTag#INVALID}.
 */
public final class DeadLetterMeter {
    private static final BoundedTag STAGES = new BoundedTag(DeadLetterMeter::code, 32);
    private static final BoundedTag REASONS = new BoundedTag(DeadLetterMeter::code, 64);

    private DeadLetterMeter() {}

    /** Counts one dead letter of {@code stage} (e.g. {@code embed}) for {@code reason} (e.g. {@code invalid-frame}). */
    public static void count(String stage, String reason) {
        Counter.builder("facestream.dlq.records")
                .description("records written to facestream.dlq, by stage and reason code")
                .tag("stage", STAGES.of(stage))
                .tag("reason", REASONS.of(reason))
                .register(Metrics.registry())
                .increment();
    }

    private static boolean code(String s) {
        return s.matches("[a-z][a-z0-9._-]{0,47}");
    }
}

package io.facestream.trainer.numerics;

import java.util.List;

/**
 * A training step produced a NaN or an infinity. Says where it first appeared — the loss, the gradient of a
 * parameter, or a parameter after the update — at which step, and which images were in that step's batch, so the
 * run can be repeated and the batch inspected. Nothing is exported or installed after it.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private static final int NAMED_IMAGES = 4;

    private final long step;
    private final String where;
    private final List<String> batch;

    public TrainingDivergedException(long step, String where, List<String> batch) {
        super("training diverged at step " + step + ": " + where + " is not finite (NaN or Inf) after the batch of "
                + describe(batch)
                + "; nothing was installed. Lower --lr (or --backbone-lr-scale), or check those images");
        this.step = step;
        this.where = where;
        this.batch = List.copyOf(batch);
    }

    private static String describe(List<String> batch) {
        String named = String.join(", ", batch.subList(0, Math.min(NAMED_IMAGES, batch.size())));
        return batch.size() + " image(s): " + named + (batch.size() > NAMED_IMAGES ? ", …" : "");
    }

    public long step() {
        return step;
    }

    /** "the loss", "the gradient of 'NAME'" or "the parameter 'NAME' after the update". */
    public String where() {
        return where;
    }

    public List<String> batch() {
        return batch;
    }
}

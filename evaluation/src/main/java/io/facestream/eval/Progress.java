package io.facestream.eval;

/** Receives how far a long evaluation step has come; the CLI prints it as a line with rate and ETA. */
@FunctionalInterface
public interface Progress {

    /** @param total the amount of work, or -1 when not known in advance */
    void update(String step, long done, long total);

    static Progress silent() {
        return (step, done, total) -> {};
    }
}

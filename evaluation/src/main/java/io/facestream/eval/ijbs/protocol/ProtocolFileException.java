package io.facestream.eval.ijbs.protocol;

import java.nio.file.Path;

/** A protocol folder that cannot be evaluated: names the file, the line (1-based, 0 for the whole file) and why. */
public final class ProtocolFileException extends IllegalArgumentException {
    private final Path file;
    private final int line;

    public ProtocolFileException(Path file, int line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}

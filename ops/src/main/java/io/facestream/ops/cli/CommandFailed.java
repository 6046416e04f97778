package io.facestream.ops.cli;

/**
 * A command could not do its job for a reason outside the code (a child process failed, a service stopped, input
 * that does not hold what it should): the command line prints the message as one line and exits 1. Anything else
 * that escapes a command, {@code IllegalStateException} included, is a bug and keeps its stack trace.
 */
public class CommandFailed extends RuntimeException {
    public CommandFailed(String message) {
        super(message);
    }

    public CommandFailed(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.facestream.match.api.audit;

/** An audit line that could not be made durable: what it was for must not happen (or, for a read, not be answered). */
public final class AuditException extends RuntimeException {
    public AuditException(String message) {
        super(message);
    }
}

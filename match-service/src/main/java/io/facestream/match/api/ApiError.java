package io.facestream.match.api;

/** A request the API refuses: an HTTP status and a message that says what was wrong with which input. */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError unprocessable(String message) {
        return new ApiError(422, message);
    }
}

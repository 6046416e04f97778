package io.facestream.match.api.auth;

import java.util.Locale;

/** Routes grouped by cost and sensitivity; each key has a rate limit per class ({@code api.rate-limit.<class>}). */
public enum RouteClass {
    /** lists and lookups: galleries, subjects, matches, tracks, cameras, status, keys, session */
    READ,
    /** face images: enrolment crops and the crops of matches' best faces */
    FACE,
    /** 1:N search and 1:1 verification by uploaded image (expensive, and each one looks for a person) */
    SEARCH,
    /** changes: galleries, subjects, thresholds, feedback, keys */
    WRITE,
    /** opening a live stream (SSE or WebSocket) */
    LIVE;

    /** The config name: {@code api.rate-limit.read}, ... */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

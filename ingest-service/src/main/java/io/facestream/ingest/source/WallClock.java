package io.facestream.ingest.source;

import java.time.Instant;

/** Capture time of live frames: the wall clock in epoch microseconds (Instant.now() has µs resolution on Linux). */
final class WallClock {
    private WallClock() {}

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}

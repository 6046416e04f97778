package io.facestream.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bad records counted and skipped, never dropped silently: a total of distinct bad records, counts by reason, and
 * the first examples.
 * Thread-safe (loader threads add to it).
 */
public final class BadRecords {
    private static final int EXAMPLES = 10;

    private final AtomicLong count = new AtomicLong();
    private final Map<String, Long> byReason = new TreeMap<>();
    private final List<String> examples = new ArrayList<>();
    private final java.util.Set<String> seen = new java.util.HashSet<>();

    /**
     * @param reason short category ("bad magic", "undecodable image", ...)
     * @param detail names the record and what is wrong; a record met again (next epoch) is counted once
     */
    public synchronized void add(String reason, String detail) {
        if (!seen.add(detail)) {
            return;
        }
        count.incrementAndGet();
        byReason.merge(reason, 1L, Long::sum);
        if (examples.size() < EXAMPLES) {
            examples.add(detail);
        }
    }

    /** A record the loader could not use, filed as an undecodable image or an unreadable record. */
    public void add(BadRecordException e) {
        add(e.getMessage().contains("decode") ? "undecodable image" : "unreadable record", e.getMessage());
    }

    public long count() {
        return count.get();
    }

    public synchronized Report report() {
        return new Report(count.get(), Map.copyOf(byReason), List.copyOf(examples));
    }

    /** What was skipped: total, by reason, first examples. */
    public record Report(long count, Map<String, Long> byReason, List<String> examples) {
        @Override
        public String toString() {
            return count == 0 ? "no bad records" : count + " bad record(s) skipped " + byReason + ", e.g. " + examples;
        }
    }
}

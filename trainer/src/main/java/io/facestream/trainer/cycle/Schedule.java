package io.facestream.trainer.cycle;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/** When the periodic trainer wakes up: a fixed period ({@code 24h}) or a five-field cron expression. */
public sealed interface Schedule {

    /** The first wake-up strictly after {@code now}. */
    ZonedDateTime next(ZonedDateTime now);

    /** {@code 24h}, {@code 30m}, {@code PT6H} ... or a cron expression ({@code "0 3 * * *"}). */
    static Schedule parse(String text) {
        String t = text.trim();
        if (t.split("\\s+").length == 5) {
            return Cron.parse(t);
        }
        Duration d;
        try {
            d = FacestreamConfig.parseDuration(t);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--every '" + text + "' is neither a duration (24h, 30m) nor a 5-field cron expression", e);
        }
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("--every '" + text + "' is shorter than a minute");
        }
        return new Every(d);
    }

    record Every(Duration period) implements Schedule {
        @Override
        public ZonedDateTime next(ZonedDateTime now) {
            return now.plus(period);
        }
    }

    /**
     * minute hour day-of-month month day-of-week; each field {@code *}, a number, {@code a-b}, {@code x/n} steps
     * and comma lists. Day of week 0–7 (0 and 7 = Sunday). As in cron, when both day fields are restricted a day
     * matching either runs.
     */
    record Cron(
            String text,
            BitSet minutes,
            BitSet hours,
            BitSet days,
            BitSet months,
            BitSet weekdays,
            boolean anyDay,
            boolean anyWeekday)
            implements Schedule {

        static Cron parse(String text) {
            String[] f = text.trim().split("\\s+");
            BitSet dow = field(text, f[4], 0, 7);
            if (dow.get(7)) {
                dow.set(0);
            }
            return new Cron(
                    text,
                    field(text, f[0], 0, 59),
                    field(text, f[1], 0, 23),
                    field(text, f[2], 1, 31),
                    field(text, f[3], 1, 12),
                    dow,
                    f[2].equals("*"),
                    f[4].equals("*"));
        }

        @Override
        public ZonedDateTime next(ZonedDateTime now) {
            ZonedDateTime t = now.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            // minute by minute over at most 4 years covers every satisfiable expression (29 February included)
            for (int i = 0; i < 4 * 366 * 24 * 60; i++, t = t.plusMinutes(1)) {
                if (matches(t)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("cron expression '" + text + "' never fires");
        }

        private boolean matches(ZonedDateTime t) {
            if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
                return false;
            }
            boolean dom = days.get(t.getDayOfMonth());
            boolean dow = weekdays.get(t.getDayOfWeek().getValue() % 7);
            if (anyDay || anyWeekday) {
                return dom && dow;
            }
            return dom || dow;
        }

        private static BitSet field(String text, String field, int min, int max) {
            BitSet out = new BitSet();
            for (String part : field.split(",")) {
                String[] step = part.split("/", 2);
                int by = 1;
                try {
                    if (step.length == 2) {
                        by = Integer.parseInt(step[1]);
                    }
                    int lo, hi;
                    if (step[0].equals("*")) {
                        lo = min;
                        hi = max;
                    } else if (step[0].contains("-")) {
                        String[] r = step[0].split("-", 2);
                        lo = Integer.parseInt(r[0]);
                        hi = Integer.parseInt(r[1]);
                    } else {
                        lo = Integer.parseInt(step[0]);
                        hi = step.length == 2 ? max : lo;
                    }
                    if (lo < min || hi > max || lo > hi || by < 1) {
                        throw new NumberFormatException(part + " outside " + min + "-" + max);
                    }
                    for (int v = lo; v <= hi; v += by) {
                        out.set(v);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("cron expression '" + text + "': field '" + field
                            + "' is not valid (" + e.getMessage() + ")");
                }
            }
            return out;
        }
    }
}

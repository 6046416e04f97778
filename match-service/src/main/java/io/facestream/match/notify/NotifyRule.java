package io.facestream.match.notify;

import io.facestream.core.events.Match;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which decisions a sink is told about: a decision passes when its decision, stage, camera and gallery are each in
 * the rule's set. An empty camera or gallery set means every camera or gallery; decisions and stages always name
 * at least one value (a sink that wants nothing is not configured).
 */
public record NotifyRule(
        Set<Match.Decision> decisions, Set<Match.Stage> stages, Set<String> cameras, Set<String> galleries) {
    public NotifyRule {
        if (decisions.isEmpty() || stages.isEmpty()) {
            throw new IllegalArgumentException("a notification rule needs at least one decision and one stage");
        }
        decisions = Set.copyOf(decisions);
        stages = Set.copyOf(stages);
        cameras = Set.copyOf(cameras);
        galleries = Set.copyOf(galleries);
    }

    /** Every decision of every stage, camera and gallery. */
    public static NotifyRule everything() {
        return new NotifyRule(
                EnumSet.allOf(Match.Decision.class), EnumSet.allOf(Match.Stage.class), Set.of(), Set.of());
    }

    public boolean matches(Match m) {
        return decisions.contains(m.decision())
                && stages.contains(m.stage())
                && (cameras.isEmpty() || cameras.contains(m.cameraId()))
                && (galleries.isEmpty() || (m.gallery() != null && galleries.contains(m.gallery())));
    }

    /**
     * A rule from its four settings as configured (a comma-separated string or a YAML list each); {@code where} names
     * the configuration prefix in error messages.
     */
    public static NotifyRule parse(String where, Object decisions, Object stages, Object cameras, Object galleries) {
        return new NotifyRule(
                enums(where + ".decisions", decisions, Match.Decision.class),
                enums(where + ".stages", stages, Match.Stage.class),
                new TreeSet<>(values(cameras)),
                new TreeSet<>(values(galleries)));
    }

    private static <E extends Enum<E>> Set<E> enums(String key, Object value, Class<E> type) {
        Set<E> out = EnumSet.noneOf(type);
        for (String v : values(value)) {
            try {
                out.add(Enum.valueOf(type, v.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": '" + v + "' is not one of " + EnumSet.allOf(type));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty: name at least one of " + EnumSet.allOf(type));
        }
        return out;
    }

    /** The items of a comma-separated string or a list, trimmed, blanks dropped. */
    static List<String> values(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        Collection<?> items =
                value instanceof Collection<?> c ? c : List.of(value.toString().split(","));
        for (Object item : items) {
            String s = String.valueOf(item).trim();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}

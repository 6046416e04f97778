package io.facestream.match.rollout;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.reembed.ModelCoverage;
import io.facestream.gallery.reembed.ReembedCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model versions this instance is rolling out: released, but the galleries do not have their vectors yet.
 * Vectors of two versions are not comparable, so a track embedded with such a version cannot be searched until
 * re-embedding is done; the identify step holds its decisions (never guesses against old vectors) while
 * {@link #holds} says so. Written by the {@link ReleaseFollower}, read by the topology's threads.
 *
 * <p>Besides the announced roll-outs, a version the gallery has no vector of while it has vectors of another version
 * of the same model is held too: the embed service may swap and send observations of a release before this
 * instance's follower has read that release. A version whose roll-out ended here is never held again.
 */
public final class Rollouts {
    private static final long COVERAGE_TTL_MS = 1000;

    /** A version being rolled out since {@code sinceMs} (wall clock). */
    public record Rollout(ModelVersion model, long sinceMs) {}

    private record Checked(boolean behind, long atMs) {}

    private final GalleryIndex index;
    private final Map<String, Rollout> active = new ConcurrentHashMap<>();
    private final Set<String> settled = ConcurrentHashMap.newKeySet();
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    private Rollouts(GalleryIndex index) {
        this.index = index;
    }

    /** Roll-outs announced by a follower, plus versions newer than what {@code index} has vectors of. */
    public static Rollouts over(GalleryIndex index) {
        return new Rollouts(index);
    }

    /** Nothing is ever held: a match service that does not roll models out. */
    public static Rollouts none() {
        return new Rollouts(null);
    }

    void begin(ModelVersion model) {
        settled.remove(model.toString());
        active.putIfAbsent(model.toString(), new Rollout(model, System.currentTimeMillis()));
    }

    void end(ModelVersion model) {
        settled.add(model.toString());
        active.remove(model.toString());
        checked.clear();
    }

    /** Whether decisions of tracks embedded with {@code modelId} ({@code name:version}) in {@code gallery} must wait. */
    public boolean holds(String gallery, String modelId) {
        if (active.containsKey(modelId)) {
            return true;
        }
        if (index == null || settled.contains(modelId)) {
            return false;
        }
        long now = System.currentTimeMillis();
        Checked c = checked.compute(
                gallery + "\n" + modelId,
                (k, old) -> old != null && now - old.atMs() < COVERAGE_TTL_MS
                        ? old
                        : new Checked(behind(gallery, modelId), now));
        return c.behind();
    }

    /** Whether a roll-out of this version ended here, successfully or not. */
    boolean settled(String modelId) {
        return settled.contains(modelId);
    }

    public Optional<Rollout> of(String modelId) {
        return Optional.ofNullable(active.get(modelId));
    }

    private boolean behind(String gallery, String modelId) {
        if (index.kindOf(gallery).isEmpty()) {
            return false;
        }
        ModelVersion model;
        try {
            model = ModelVersion.parse(modelId);
        } catch (GalleryInputException e) {
            return false;
        }
        List<ModelCoverage> coverage;
        try {
            coverage = new ReembedCatalog(index).coverage(gallery);
        } catch (GalleryInputException deletedMeanwhile) {
            return false;
        }
        boolean hasThis = coverage.stream().anyMatch(c -> c.model().equals(model));
        boolean hasSibling = coverage.stream()
                .anyMatch(
                        c -> c.model().name().equals(model.name()) && !c.model().equals(model));
        return !hasThis && hasSibling;
    }
}

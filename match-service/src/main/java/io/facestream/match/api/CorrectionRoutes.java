package io.facestream.match.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Match;
import io.facestream.core.events.Verdict;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.api.faces.FaceCrops;
import io.facestream.match.api.faces.ReadFace;
import io.facestream.match.api.faces.TrackFaces;
import io.facestream.match.api.live.MatchFeed;
import io.facestream.match.api.live.MatchQuery;
import io.facestream.match.corrections.CorrectionSettings;
import io.facestream.match.corrections.Corrections;
import io.facestream.match.corrections.ThresholdSuggestion;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.gallery.ThresholdMetadata;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' corrections (docs/match-service.md "Corrections"): the review queue of close decisions, enrolling a
 * track as a subject, the threshold that holds the target FPIR with rejections counted, and what a feedback record
 * carries besides the verdict (the rejected track's template and crop).
 */
final class CorrectionRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CorrectionRoutes.class);

    private final MatchFeed feed;
    private final FaceCrops faces;
    private final Corrections corrections;
    private final GalleryAdmin galleries;
    private final CorrectionSettings settings;

    CorrectionRoutes(
            MatchFeed feed,
            FaceCrops faces,
            Corrections corrections,
            GalleryAdmin galleries,
            CorrectionSettings settings) {
        this.feed = feed;
        this.faces = faces;
        this.corrections = corrections;
        this.galleries = galleries;
        this.settings = settings;
    }

    void mount(Routes r) {
        r.add(HttpMethod.GET, "/api/review", Role.VIEWER, RouteClass.READ, "review.read", Body.NONE, this::review);
        r.add(
                HttpMethod.POST,
                "/api/tracks/:camera/:track/enrol",
                Role.OPERATOR,
                RouteClass.WRITE,
                "track.enrol",
                Body.JSON,
                this::enrolTrack);
        r.add(
                HttpMethod.GET,
                "/api/galleries/:gallery/threshold/suggestion",
                Role.VIEWER,
                RouteClass.READ,
                "gallery.threshold.suggestion",
                Body.NONE,
                this::suggestion);
        r.add(
                HttpMethod.POST,
                "/api/galleries/:gallery/threshold/suggestion/apply",
                Role.ADMIN,
                RouteClass.WRITE,
                "gallery.threshold.apply",
                Body.JSON,
                this::apply);
    }

    // ---- feedback -------------------------------------------------------------------------------------------------

    /**
     * The feedback record completed from the decision's best face (read from {@code facestream.faces}): its aligned
     * crop (training data) and, for a rejection, its feature as the track's template (the negative exemplar) and the
     * decision's score. A best face no longer readable (past the faces topic's retention) leaves both out: the
     * verdict is still recorded.
     */
    Feedback complete(Match m, Feedback f) {
        Feedback.Builder b = f.toBuilder();
        if (m.best() != null && f.getSubjectId().equals(m.best().subjectId())) {
            b.setScore(m.best().score());
        }
        List<ReadFace> faces = trackFaces(m);
        for (ReadFace face : faces) {
            b.addAlignedCropsJpeg(com.google.protobuf.ByteString.copyFrom(face.cropJpeg()));
        }
        if (f.getVerdict() == Verdict.REJECT && m.model() != null) {
            b.setModel(m.model().name() + ":" + m.model().version());
            if (!faces.isEmpty()) {
                for (float x : fused(faces).raw()) {
                    b.addTemplate(x);
                }
            }
        }
        return b.build();
    }

    /**
     * The decision's best faces that are still on the faces topic, with crop and feature, of the decision's model
     * (highest norm first).
     */
    private List<ReadFace> trackFaces(Match m) {
        return TrackFaces.of(m, this::face).stream()
                .filter(o -> !o.getAlignedCropJpeg().isEmpty()) // training data and booking media need the crop
                .map(o -> new ReadFace(
                        TrackFaces.model(o),
                        TrackFaces.raw(o),
                        o.getAlignedCropJpeg().toByteArray(),
                        o.getQuality(),
                        1))
                .toList();
    }

    /**
     * The faces fused as a track's template is (the sum of their raw features: the norm weighs each), with the first
     * face's crop.
     */
    private static ReadFace fused(List<ReadFace> faces) {
        io.facestream.core.vector.TemplateFusion sum = io.facestream.core.vector.TemplateFusion.of(
                faces.stream().map(ReadFace::raw).toList());
        ReadFace first = faces.get(0);
        return new ReadFace(
                first.model(),
                io.facestream.core.vector.Vectors.toFloat(sum.sum()),
                first.cropJpeg(),
                first.score(),
                faces.size());
    }

    /**
     * Whether a confirmation adds the track's best face to a BOOKING subject ({@code
     * match.corrections.confirm-into-booking}): the gallery is BOOKING, the subject is in it and the face is readable.
     * Said in the feedback's audit line before anything is written.
     */
    boolean addsToBooking(Match m, Feedback f) {
        return settings.confirmIntoBooking()
                && f.getVerdict() == Verdict.CONFIRM
                && !f.getSubjectId().isBlank()
                && m.gallery() != null
                && galleries.gallery().index().kindOf(m.gallery()).orElse(null) == GalleryKind.BOOKING
                && galleries.hasSubject(m.gallery(), f.getSubjectId())
                && m.bestFace() != null;
    }

    /** After the record is written: this instance applies it at once, and moves the threshold when so configured. */
    void written(String matchId, Feedback f, Match m, boolean addToBooking, Optional<ThresholdSuggestion> threshold) {
        corrections.accept(matchId, f);
        if (addToBooking) {
            addToBooking(m, f.getSubjectId());
        }
        threshold.ifPresent(s -> {
            String model = m.model().name() + ":" + m.model().version();
            galleries.setCorrectedThreshold(
                    m.gallery(), model, s.threshold(), s.base().value(), () -> {});
            LOG.info(
                    "gallery '{}' {}: threshold {} after rejection {} (match.corrections.auto-apply-threshold)",
                    m.gallery(),
                    model,
                    s.suggested(),
                    matchId);
        });
    }

    /**
     * With {@code match.corrections.auto-apply-threshold}: the threshold this rejection moves its gallery to (counted
     * with the rejections known so far), when it differs from the one in force; said in the feedback's audit line.
     */
    Optional<ThresholdSuggestion> plannedThreshold(Match m, Feedback f) {
        if (!settings.autoApplyThreshold()
                || f.getVerdict() != Verdict.REJECT
                || m.model() == null
                || m.gallery() == null
                || f.getModel().isBlank()) {
            return Optional.empty();
        }
        String model = f.getModel();
        try {
            ThresholdSuggestion s = suggest(m.gallery(), model, m.matchId(), f.getScore());
            return s.suggested()
                            == galleries.gallery().threshold(m.gallery(), model).value()
                    ? Optional.empty()
                    : Optional.of(s);
        } catch (ApiError notCalibrated) {
            LOG.info("gallery '{}' {}: threshold not moved: {}", m.gallery(), model, notCalibrated.getMessage());
            return Optional.empty();
        }
    }

    /** The confirmed track's best face as one more medium of the booking (once per track: PROVISIONAL or FINAL). */
    private void addToBooking(Match m, String subject) {
        String mediaId = "track-" + m.cameraId() + "-" + m.trackId();
        if (galleries
                .gallery()
                .index()
                .medium(new io.facestream.gallery.model.GalleryKey.OfMedium(m.gallery(), subject, mediaId))
                .isPresent()) {
            return; // the track's other decision was confirmed already
        }
        List<ReadFace> faces = trackFaces(m);
        if (faces.isEmpty()) {
            LOG.info(
                    "confirmation {}: its best faces are no longer readable, nothing added to booking '{}'",
                    m.matchId(),
                    m.gallery());
            return;
        }
        galleries.addMedium(
                m.gallery(),
                subject,
                mediaId,
                fused(faces),
                faces.stream().map(ReadFace::cropJpeg).toList(),
                () -> {});
    }

    /** {@code faces/<partition>/<offset>} read from the faces topic. */
    private Optional<FaceObservation> face(String ref) {
        if (ref == null) {
            return Optional.empty();
        }
        return faces.observation(ref); // through the API's face readers, as the crops are
    }

    // ---- review queue ---------------------------------------------------------------------------------------------

    private void review(RoutingContext ctx) {
        var p = ctx.request().params();
        double band = number(p.get("band"), settings.reviewBand(), "band");
        Match.Stage stage = p.get("stage") == null
                ? null
                : switch (p.get("stage").trim().toUpperCase(java.util.Locale.ROOT)) {
                    case "PROVISIONAL" -> Match.Stage.PROVISIONAL;
                    case "FINAL" -> Match.Stage.FINAL;
                    default ->
                        throw ApiError.badRequest("stage = '" + p.get("stage") + "' is not PROVISIONAL or FINAL");
                };
        int offset = ApiRouter.intParam(p.get("offset"), 0, 0, Integer.MAX_VALUE, "offset");
        int limit = ApiRouter.intParam(p.get("limit"), 50, 1, 200, "limit");
        MatchQuery all =
                new MatchQuery(p.get("camera"), null, null, null, null, stage, null, null, 0, MatchQuery.MAX_LIMIT);
        Set<String> reviewed = corrections.reviewed();
        List<Match> queue = new ArrayList<>();
        for (Match m : feed.query(all).matches()) { // newest first
            if (m.best() != null
                    && !reviewed.contains(m.matchId())
                    && Math.abs(m.best().score() - m.threshold()) <= band) {
                queue.add(m);
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (Match m : queue.subList(Math.min(offset, queue.size()), Math.min(offset + limit, queue.size()))) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("match_id", m.matchId());
            item.put("camera_id", m.cameraId());
            item.put("track_id", m.trackId());
            item.put("stage", m.stage());
            item.put("decision", m.decision());
            item.put("start_ts_us", m.startTsUs());
            item.put("end_ts_us", m.endTsUs());
            item.put("gallery", m.gallery());
            item.put("subject_id", m.best().subjectId());
            item.put("score", m.best().score());
            item.put("threshold", m.threshold());
            item.put("margin", m.best().score() - m.threshold());
            // the track's few highest-norm accepted faces (track.BestFace), highest first
            List<Map<String, Object>> best = new ArrayList<>();
            for (String ref : m.bestFaces()) {
                best.add(Map.of("ref", ref, "crop", "/api/" + ref + "/crop"));
            }
            item.put("best_faces", best);
            item.put("gallery_face", galleryFace(m));
            items.add(item);
        }
        Access.of(ctx).detail("returned", items.size());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("band", band);
        out.put("total", queue.size());
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("items", items);
        Replies.json(ctx, out);
    }

    /** The crop route of the decision's gallery face (a candidate's media id is {@code <subject>/<medium>}). */
    private static String galleryFace(Match m) {
        String media = m.best().mediaId();
        if (media == null) {
            return null;
        }
        String prefix = m.best().subjectId() + "/";
        String medium = media.startsWith(prefix) ? media.substring(prefix.length()) : media;
        return "/api/galleries/" + m.gallery() + "/subjects/" + m.best().subjectId() + "/media/" + medium + "/crop";
    }

    // ---- enrol a track --------------------------------------------------------------------------------------------

    private void enrolTrack(RoutingContext ctx) {
        String camera = ctx.pathParam("camera");
        String track = ctx.pathParam("track");
        JsonNode b = ApiRouter.jsonBody(ctx);
        String subject = ApiRouter.text(b, "subject_id", true);
        String display = ApiRouter.text(b, "display_name", false);
        var page = feed.query(new MatchQuery(camera, null, null, null, null, null, track, null, 0, 10));
        if (page.matches().isEmpty()) {
            throw ApiError.notFound(
                    "no decision for track " + track + " of camera " + camera + " among the recent matches");
        }
        Match latest = page.matches().get(0);
        String given = ApiRouter.text(b, "gallery", false);
        String gallery = given != null ? given : latest.gallery();
        if (gallery == null || gallery.isBlank()) {
            throw ApiError.badRequest("field 'gallery' is required: the track's decision names no gallery");
        }
        if (latest.bestFace() == null) {
            throw ApiError.notFound("track " + track + " of camera " + camera + " has no face left to enrol (its face"
                    + " data was dropped: privacy.unknown-retention or an erasure)");
        }
        Access.of(ctx)
                .detail("gallery", gallery)
                .detail("subject_id", subject)
                .detail("match_id", latest.matchId())
                .detail("faces", latest.bestFaces());
        ApiRouter.blocking(
                ctx,
                () -> {
                    GalleryKind kind = galleries.requireGallery(gallery);
                    List<ReadFace> faces = trackFaces(latest);
                    if (faces.isEmpty()) {
                        throw ApiError.notFound("the best faces of track " + track + " of camera " + camera + " "
                                + latest.bestFaces() + " are no longer on the faces topic (or were stored without"
                                + " crop or feature): enrol from an upload instead");
                    }
                    // a SINGLE gallery takes one still, the best face; a booking takes all of them
                    List<ReadFace> used = kind == GalleryKind.SINGLE ? faces.subList(0, 1) : faces;
                    Access.of(ctx)
                            .detail(
                                    "crop_sha256",
                                    used.stream()
                                            .map(f -> ApiRouter.sha256(f.cropJpeg()))
                                            .toList());
                    Map<String, Object> out;
                    if (kind == GalleryKind.BOOKING && galleries.hasSubject(gallery, subject)) {
                        out = galleries.addMedium(
                                gallery,
                                subject,
                                "track-" + camera + "-" + track,
                                fused(used),
                                used.stream().map(ReadFace::cropJpeg).toList(),
                                ApiRouter.beforeChange(ctx));
                    } else {
                        out = galleries.enrol(
                                gallery,
                                subject,
                                display == null ? subject : display,
                                used,
                                ApiRouter.beforeChange(ctx));
                    }
                    out = new LinkedHashMap<>(out);
                    out.put("from", latest.matchId());
                    return out;
                },
                v -> Replies.json(ctx, 201, v));
    }

    // ---- threshold from rejections --------------------------------------------------------------------------------

    private void suggestion(RoutingContext ctx) {
        String gallery = ctx.pathParam("gallery");
        String model = modelParam(ctx.request().getParam("model"));
        ApiRouter.blocking(
                ctx, () -> suggestionJson(gallery, model, suggest(gallery, model)), v -> Replies.json(ctx, v));
    }

    private void apply(RoutingContext ctx) {
        String gallery = ctx.pathParam("gallery");
        JsonNode b = ApiRouter.jsonBody(ctx);
        String model = modelParam(ApiRouter.text(b, "model", false));
        ApiRouter.blocking(
                ctx,
                () -> {
                    ThresholdSuggestion s = suggest(gallery, model);
                    Access.of(ctx)
                            .detail("model", model)
                            .detail("threshold", s.suggested())
                            .detail("base", s.base().value())
                            .detail("rejections", s.rejections());
                    galleries.setCorrectedThreshold(
                            gallery, model, s.threshold(), s.base().value(), ApiRouter.beforeChange(ctx));
                    return suggestionJson(gallery, model, s);
                },
                v -> Replies.json(ctx, v));
    }

    /** The gallery's model for these routes: given, or the single one it has a threshold for. */
    private String modelParam(String given) {
        if (given == null || given.isBlank()) {
            throw ApiError.badRequest("'model' (name:version) is required: thresholds are per model version");
        }
        try {
            return io.facestream.gallery.model.ModelVersion.parse(given).toString();
        } catch (RuntimeException e) {
            throw ApiError.badRequest("model '" + given + "': " + e.getMessage());
        }
    }

    ThresholdSuggestion suggest(String gallery, String model) {
        return suggest(gallery, model, null, Double.NaN);
    }

    /** With one more rejection ({@code matchId} at {@code score}) than those known, when {@code matchId} is set. */
    private ThresholdSuggestion suggest(String gallery, String model, String matchId, double score) {
        galleries.requireGallery(gallery);
        OpenSetThreshold current = galleries.gallery().threshold(gallery, model);
        OpenSetThreshold base = current;
        if ("corrected".equals(current.source())) {
            Optional<Double> calibrated =
                    galleries.gallery().definition(gallery).flatMap(d -> ThresholdMetadata.base(d.metadata(), model));
            if (calibrated.isPresent()) {
                base = new OpenSetThreshold(
                        calibrated.get(), current.targetFpir(), current.calibratedOn(), "calibrated");
            }
        }
        java.util.stream.DoubleStream known = corrections.rejections(gallery, model).stream()
                .filter(r -> !r.matchId().equals(matchId))
                .mapToDouble(Corrections.Rejection::score);
        double[] scores = (matchId != null && Double.isFinite(score) && score != 0
                        ? java.util.stream.DoubleStream.concat(known, java.util.stream.DoubleStream.of(score))
                        : known)
                .toArray();
        try {
            return ThresholdSuggestion.of(base, scores);
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, "gallery '" + gallery + "' " + model + ": " + e.getMessage());
        }
    }

    private Map<String, Object> suggestionJson(String gallery, String model, ThresholdSuggestion s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("gallery", gallery);
        out.put("model", model);
        out.put("current", galleries.gallery().threshold(gallery, model).value());
        out.put("calibrated", s.base().value());
        out.put("suggested", s.suggested());
        out.put("target_fpir", s.targetFpir());
        out.put("calibrated_on", s.base().calibratedOn());
        out.put("rejections", s.rejections());
        out.put("searches", s.searches());
        out.put("false_alarms_at_calibrated", s.alarmsAtBase());
        out.put("fpir_at_calibrated", s.fpirAtBase());
        out.put("allowed_false_alarms", s.allowed());
        return out;
    }

    private static double number(String text, double fallback, String name) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            double v = Double.parseDouble(text.trim());
            if (!(v >= 0) || v > 2) {
                throw ApiError.badRequest(name + " = '" + text + "' must be a number in [0, 2]");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " = '" + text + "' is not a number");
        }
    }
}

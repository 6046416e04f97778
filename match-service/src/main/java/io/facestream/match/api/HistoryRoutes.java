package io.facestream.match.api;

import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.match.api.RouteSpec.Body;
import io.facestream.match.api.audit.Access;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.auth.RouteClass;
import io.facestream.match.history.HistoryQuery;
import io.facestream.match.history.MatchHistory;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/history}: every decision the match history holds (the matches topic's retention), filtered, newest
 * first, paged by an opaque cursor. Read like {@code /api/matches} (viewer, rate class read) and audited the same way.
 */
final class HistoryRoutes {
    private final MatchHistory history;

    /** @param history the history, or null when {@code match.history.enabled} is false (the route answers 503) */
    HistoryRoutes(MatchHistory history) {
        this.history = history;
    }

    void mount(Routes r) {
        r.add(HttpMethod.GET, "/api/history", Role.VIEWER, RouteClass.READ, "history.read", Body.NONE, this::history);
    }

    private void history(RoutingContext ctx) {
        if (history == null) {
            throw new ApiError(
                    503,
                    "the match history is off on this instance: set match.history.enabled=true, or use /api/matches");
        }
        var p = ctx.request().params();
        HistoryQuery q;
        try {
            q = HistoryQuery.parse(p::get, history.maxPage());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        ApiRouter.blocking(ctx, () -> history.query(q), page -> {
            Access.of(ctx).detail("returned", page.items().size());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("items", items(page.items()));
            out.put("total", page.total());
            out.put("limit", q.limit());
            out.put("next_cursor", page.nextCursor());
            Replies.json(ctx, out);
        });
    }

    /** Each decision as on the topic, plus the URL of its best face's crop when it still has one. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(List<Match> matches) {
        List<Map<String, Object>> out = new ArrayList<>(matches.size());
        for (Match m : matches) {
            Map<String, Object> item = Json.mapper().convertValue(m, LinkedHashMap.class);
            if (m.bestFace() != null) {
                item.put("best_face_crop", "/api/" + m.bestFace() + "/crop");
            }
            out.add(item);
        }
        return out;
    }
}

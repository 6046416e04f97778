package io.facestream.ops.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The demo watchlist, built through the API: half of the people who have enrolment stills are enrolled from their
 * frontal still, the others stay unknown; then the open-set threshold is calibrated for the target FPIR on
 * non-mated searches of every still (a still of an enrolled person searched against the others counts too: for
 * that search its mate is not in the gallery).
 */
final class DemoGallery {

    /** @param threshold the calibrated cosine threshold; @param nonMated how many non-mated searches it rests on */
    record Built(String gallery, TreeSet<Integer> enrolled, String model, double threshold, int nonMated) {}

    private DemoGallery() {}

    /**
     * Who is enrolled: people seen in the videos and the others, each list in id order, every other one, so the
     * footage holds both enrolled and unknown people.
     */
    static TreeSet<Integer> chooseEnrolled(TreeMap<Integer, List<Path>> stills, TreeSet<Integer> inVideos) {
        TreeSet<Integer> enrolled = new TreeSet<>();
        List<Integer> seen = stills.keySet().stream().filter(inVideos::contains).toList();
        List<Integer> unseen =
                stills.keySet().stream().filter(s -> !inVideos.contains(s)).toList();
        for (List<Integer> group : List.of(seen, unseen)) {
            for (int i = 0; i < group.size(); i += 2) {
                enrolled.add(group.get(i));
            }
        }
        return enrolled;
    }

    static Built build(ApiClient api, String gallery, DemoFootage footage, double targetFpir, PrintStream out) {
        TreeMap<Integer, List<Path>> stills = footage.stills();
        TreeSet<Integer> enrolled = chooseEnrolled(stills, footage.inVideos());
        for (JsonNode g : api.json("GET", "/api/galleries", null)) {
            if (g.get("name").asText().equals(gallery)) {
                api.json(
                        "DELETE",
                        "/api/galleries/" + gallery,
                        null); // a fresh gallery: no subjects or threshold of an older run
            }
        }
        api.json("POST", "/api/galleries", Map.of("name", gallery, "kind", "SINGLE"));
        for (int subject : enrolled) {
            api.upload(
                    "/api/galleries/" + gallery + "/subjects",
                    Map.of("subject_id", Integer.toString(subject), "display_name", "person " + subject),
                    "image",
                    List.of(stills.get(subject).get(0)));
        }
        out.println("demo: enrolled " + enrolled.size() + " of " + stills.size() + " people with stills into gallery '"
                + gallery + "': " + enrolled);

        List<Double> nonMated = new ArrayList<>();
        String model = null;
        for (Map.Entry<Integer, List<Path>> e : stills.entrySet()) {
            for (Path still : e.getValue()) {
                Map<String, String> form = new LinkedHashMap<>();
                form.put("gallery", gallery);
                form.put("k", Integer.toString(enrolled.size()));
                JsonNode r = api.upload("/api/search", form, "image", List.of(still));
                model = r.get("model").asText();
                double best = -1;
                for (JsonNode c : r.get("results").get(0).get("candidates")) {
                    if (!c.get("subject_id").asText().equals(Integer.toString(e.getKey()))) {
                        best = Math.max(best, c.get("score").asDouble());
                    }
                }
                nonMated.add(best);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("target_fpir", targetFpir);
        body.put("non_mated_scores", nonMated);
        JsonNode t = api.json("PUT", "/api/galleries/" + gallery + "/threshold", body);
        double threshold = t.get("threshold").asDouble();
        out.printf(
                "demo: open-set threshold %.3f for FPIR %.3f, calibrated on %d non-mated still searches%n",
                threshold, targetFpir, nonMated.size());
        return new Built(gallery, enrolled, model, threshold, nonMated.size());
    }
}

package io.facestream.match.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.CameraState;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's page in a real headless Chromium against a real match service and broker, every tab with data: the
 * camera wall (specs written through the API, ingest status and frames on their topics), the live table with 50
 * decisions whose best faces are on facestream.faces (all 50 crops load, from the service's memory), feedback by
 * keyboard, review and history (their routes may not exist on this server: the tab says so), the gallery (enrolled by
 * upload, filtered, a subject deleted, and listed once however many refreshes overlap). axe-core checks each tab for
 * serious or critical accessibility violations; at a tablet's 768 px nothing scrolls sideways. Screenshots of the
 * wall and the live table at laptop and tablet sizes go to {@code target/screenshots}, or to the folder named by
 * {@code -Dfacestream.screenshots=DIR} (the docs' images: {@code ../docs/images}).
 */
@KafkaBroker
class OperatorPageInBrowserTest {
    private static final String KEY = "operator-page-key-0123456789";
    private static final int DECISIONS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: the JDK client would otherwise ask the plain-HTTP server to upgrade to h2c on every request
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @Test
    void everyTabWithDataIsAccessibleAndAPageOfFiftyDecisionsShowsItsFaces(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        assumeTrue(Chromium.available(), "needs Debian chromium and chromium-driver");
        SamplePhotos photos = SamplePhotos.fetch();
        AxeCore axe = AxeCore.fetch();
        Path shots = Path.of(System.getProperty("facestream.screenshots", "target/screenshots"));
        Files.createDirectories(shots);

        String run = UUID.randomUUID().toString().substring(0, 8);
        String gallery = "watchlist-" + run; // its own: the gallery topic is shared by every test on the broker
        List<String> cameras = List.of("lobby-" + run, "door-" + run, "garage-" + run);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        // the best faces of the decisions, written before the service starts: its topology begins after them (they
        // carry no embedding to track), the crops are read back by the API
        List<byte[]> crops = new ArrayList<>();
        for (SamplePhotos.Portrait p : SamplePhotos.Portrait.values()) {
            crops.add(jpeg(ImageIO.read(photos.portrait(p).toFile()), 112, 112));
        }
        List<String> bestFaces = new ArrayList<>();
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "op-faces-" + run))) {
            for (int i = 0; i < DECISIONS; i++) {
                FaceObservation o = FaceObservation.newBuilder()
                        .setCameraId(cameras.get(i % 3))
                        .setFrameSeq(i)
                        .setAlignedCropJpeg(ByteString.copyFrom(
                                // the HITs (every fifth) show alice's other photograph, the rest another woman
                                crops.get(
                                        i % 5 == 4
                                                ? SamplePhotos.Portrait.SAME_B.ordinal()
                                                : SamplePhotos.Portrait.OTHER.ordinal())))
                        .build();
                RecordMetadata md = producer.send(
                                new ProducerRecord<>(TopicCatalog.FACES, o.getCameraId(), o.toByteArray()))
                        .get();
                bestFaces.add("faces/" + md.partition() + "/" + md.offset());
            }
        }

        Map<String, Object> o = FaceServices.matchConfig("op-page", run, dir, gallery);
        o.put("kafka.bootstrap", bootstrap);
        o.put("models.dir", ModelZoo.defaultStore().root().toString());
        o.put("api.keys.desk.key", KEY);
        o.put("api.keys.desk.role", "admin");
        // re-identification reads each FINAL decision's best face from the topic too: off, so that every read of the
        // crop readers counted here is the read-ahead's or the page's
        o.put("match.reid.enabled", false);
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        ConsumerGroups.startAtEnd(bootstrap, FaceServices.application("op-page", run), TopicCatalog.FACES);

        try (MatchService match = MatchService.start(config, bootstrap)) {
            match.awaitRunning(Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + match.apiPort();
            WebDriver browser = Chromium.start(dir.resolve("chromium-profile"));
            JavascriptExecutor js = (JavascriptExecutor) browser;
            List<String> serious = new ArrayList<>();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                // the wall redraws a tile's buttons when the camera's state changes: an element found just before
                // that is stale, and is looked up again on the next try
                wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
                browser.manage().window().setSize(new Dimension(1366, 768));
                browser.get(base + "/");
                wait.until(b -> b.findElement(By.id("login")).isDisplayed());
                serious.addAll(axe.seriousViolations(browser, "login"));
                browser.findElement(By.id("key")).sendKeys(KEY);
                browser.findElement(By.cssSelector("#login-form button")).click();
                wait.until(b -> b.findElement(By.id("live")).isDisplayed());

                // gallery: created and filled by upload, as an operator does
                tab(browser, "gallery");
                browser.findElement(By.id("new-gallery")).sendKeys(gallery);
                browser.findElement(By.cssSelector("#create-gallery button")).click();
                wait.until(b -> b.findElements(By.cssSelector("#gallery-select option[value='" + gallery + "']"))
                                .size()
                        == 1);
                new Select(browser.findElement(By.id("gallery-select"))).selectByValue(gallery);
                enrol(browser, wait, "alice", "Alice Example", photos.portrait(SamplePhotos.Portrait.SAME_A));
                enrol(browser, wait, "olga", "Olga Other", photos.portrait(SamplePhotos.Portrait.OTHER));
                wait.until(b ->
                        b.findElements(By.cssSelector("#subjects tr.subject")).size() == 2);
                String aliceMedia = subjects(base, gallery).stream()
                        .filter(s -> s.get("subject_id").asText().equals("alice"))
                        .findFirst()
                        .orElseThrow()
                        .get("media")
                        .get(0)
                        .asText();

                // no page open while the decisions arrive: the crops are read ahead by the service alone, each once
                browser.get("about:blank");

                // cameras: two at run time through the API, a third known only from ingest's status (a config camera)
                for (String camera : cameras.subList(0, 2)) {
                    send(base, "PUT", "/api/cameras/" + camera, "{\"source\":\"rtsp://10.0.0.7/" + camera + "\"}");
                }
                long now = System.currentTimeMillis() * 1000;
                try (var producer =
                        new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "op-status-" + run))) {
                    for (int i = 0; i < 3; i++) {
                        String camera = cameras.get(i);
                        CameraState.Builder s = CameraState.newBuilder()
                                .setId(camera)
                                .setState(i == 2 ? "FAILED" : "RUNNING")
                                .setSource(i == 2 ? "rtsp://***@10.0.0.9/garage" : "rtsp://10.0.0.7/" + camera)
                                .setFps(i == 2 ? 0 : 4.8 + i * 0.4)
                                .setLastFrameTsUs(now - i * 1_000_000L)
                                .setReconnects(i == 2 ? 7 : 0)
                                .setFramesSent(1000 + i)
                                .setReportedTsUs(now)
                                .setOrigin(i == 2 ? "config" : "topic");
                        if (i == 2) {
                            s.setLastError("connection refused by 10.0.0.9:554");
                        }
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.CAMERA_STATUS, camera, s.build().toByteArray()));
                        if (i < 2) {
                            BufferedImage frame = ImageIO.read(
                                    photos.group(SamplePhotos.GROUPS.get(i)).toFile());
                            ProducerRecord<String, byte[]> r =
                                    new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg(frame, 640, 360));
                            r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(1));
                            r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(now));
                            producer.send(r);
                        }
                    }
                    // the feed replays the matches topic at start (other tests' decisions on a shared broker) and
                    // reads crops ahead only for decisions after that: these 50 are sent once it has caught up
                    long caughtUpBy = System.nanoTime() + 120_000_000_000L;
                    while (!JSON.readTree(send(base, "GET", "/api/status", null))
                                    .path("caught_up")
                                    .asBoolean()
                            && System.nanoTime() < caughtUpBy) {
                        Thread.sleep(200);
                    }
                    // 50 decisions, every fifth a HIT of alice, each with its best face on facestream.faces; ten
                    // UNKNOWNs close to the threshold (0.42), for the review queue
                    for (int i = 0; i < DECISIONS; i++) {
                        String camera = cameras.get(i % 3);
                        boolean hit = i % 5 == 4; // the newest is one
                        long end = now - (DECISIONS - i) * 2_000_000L;
                        Match m = new Match(
                                camera + "/" + (100 + i) + "/FINAL",
                                String.valueOf(100 + i),
                                camera,
                                end - 1_500_000,
                                end,
                                Match.Stage.FINAL,
                                hit ? Match.Decision.HIT : Match.Decision.UNKNOWN,
                                0.42,
                                gallery,
                                new Match.ModelId("mobilefacenet", "1"),
                                List.of(new Match.Candidate(
                                        hit ? "alice" : "olga",
                                        hit ? "alice/" + aliceMedia : null,
                                        hit ? 0.71 : i % 5 == 2 ? 0.36 + i / 1000.0 : 0.18 + i / 500.0)),
                                6,
                                bestFaces.get(i));
                        producer.send(new ProducerRecord<>(
                                TopicCatalog.MATCHES,
                                camera,
                                JsonSerde.match().serializer().serialize(TopicCatalog.MATCHES, m)));
                    }
                    producer.flush();
                }
                // in the feed, and their crops read ahead into memory before anyone asks
                long until = System.nanoTime() + 90_000_000_000L;
                while (matchCount(base) < DECISIONS && System.nanoTime() < until) {
                    Thread.sleep(500);
                }
                // read ahead, newest first (other tests' decisions on a shared broker may be read too)
                while (bestFaces.stream().anyMatch(f -> !match.faceCropCached(f)) && System.nanoTime() < until) {
                    Thread.sleep(200);
                }
                assertTrue(bestFaces.stream().allMatch(match::faceCropCached), "every best face read ahead");

                // a fresh page (the session is in its cookie) opens on the live table: all 50 faces load at once
                long[] before = match.faceCropHitsAndReads();
                browser.get(base + "/");
                wait.until(
                        b -> b.findElements(By.cssSelector("#matches tr.match")).size() == DECISIONS);
                String loaded = """
                        const imgs = Array.from(document.querySelectorAll('#matches td[data-label="track face"] img'));
                        return imgs.length + ' ' + imgs.filter((i) => i.complete && i.naturalWidth > 0).length;
                        """;
                wait.until(b -> js.executeScript(loaded).equals(DECISIONS + " " + DECISIONS));
                @SuppressWarnings("unchecked")
                List<Number> timing = (List<Number>) js.executeScript("""
                        const crops = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/faces/'));
                        return [crops.length, Math.min(...crops.map((e) => e.startTime)),
                                Math.max(...crops.map((e) => e.responseEnd)),
                                crops.filter((e) => e.transferSize === 0).length];
                        """);
                long[] after = match.faceCropHitsAndReads();
                double lastCropMs = timing.get(2).doubleValue();
                System.out.printf(
                        "page of %d decisions: %d crops fetched, first asked %.0f ms and last loaded %.0f ms after"
                                + " navigation start; server: %d from memory, %d read from the topic; %d from the"
                                + " browser's cache%n",
                        DECISIONS,
                        timing.get(0).intValue(),
                        timing.get(1).doubleValue(),
                        lastCropMs,
                        after[0] - before[0],
                        after[1] - before[1],
                        timing.get(3).intValue());
                assertEquals(DECISIONS, timing.get(0).intValue(), "one request per crop");
                // the HITs' gallery faces too
                wait.until(b -> ((Number) js.executeScript("return Array.from(document.querySelectorAll("
                                        + "'#matches td[data-label=\"gallery face\"] img'))"
                                        + ".filter((i) => i.complete && i.naturalWidth > 0).length"))
                                .intValue()
                        == DECISIONS / 5);
                // the page that was open while the decisions arrived may have shown them already over SSE (hidden
                // tables load their images too): those crops come from the browser's cache (Cache-Control private,
                // max-age 300), the others from the service's memory, none from the topic
                int fromBrowserCache = timing.get(3).intValue();
                assertTrue(
                        after[0] - before[0] + fromBrowserCache >= DECISIONS,
                        "every crop served from memory (" + (after[0] - before[0]) + ") or the browser's cache ("
                                + fromBrowserCache + ")");
                // (reads of other decisions' faces may go on meanwhile: the counter is the service's, not the page's)
                // the goal is 1 s; the bound is loose because this machine is shared (the number is printed above)
                assertTrue(lastCropMs < 10_000, "the last crop loaded " + lastCropMs + " ms after navigation");

                // keyboard: j selects the newest, j the next, c confirms it, then k back and r rejects
                js.executeScript("document.activeElement.blur()");
                new Actions(browser).sendKeys("jj").perform();
                List<WebElement> rows = browser.findElements(By.cssSelector("#matches tr.match"));
                assertTrue(rows.get(1).getAttribute("class").contains("selected"), "j moved to the second row");
                String second = rows.get(1).getAttribute("data-match-id");
                String first = rows.get(0).getAttribute("data-match-id");
                new Actions(browser).sendKeys("c").perform();
                wait.until(b -> b.findElement(By.id("live-msg")).getText().equals("confirmed " + second));
                new Actions(browser).sendKeys("kr").perform();
                wait.until(b -> b.findElement(By.id("live-msg")).getText().equals("rejected " + first));
                assertEquals(
                        "rejected",
                        browser.findElement(By.cssSelector("#matches tr.match .verdict"))
                                .getText());
                serious.addAll(axe.seriousViolations(browser, "live"));
                screenshots(browser, shots, "live");

                // the camera wall: a tile per camera with its frame, facts and last faces
                tab(browser, "cameras");
                // this test's 3 cameras (a shared broker's other cameras may have tiles too)
                wait.until(b -> cameras.stream()
                        .allMatch(c -> !b.findElements(By.cssSelector("#camera-wall article[data-camera='" + c + "']"))
                                .isEmpty()));
                // on a broker shared with other tests the wall also has their cameras, dozens of tiles whose snapshots
                // (the last frames of a partition) are read again every 3 s: the images are checked where the wall
                // is this test's alone, the tiles' facts always
                boolean alone = browser.findElements(By.cssSelector("#camera-wall article.tile"))
                                .size()
                        == cameras.size();
                for (String camera : cameras.subList(0, 2)) {
                    String tile = "#camera-wall article[data-camera='" + camera + "']";
                    if (alone) {
                        wait.until(b -> (Boolean) js.executeScript(
                                "const i = document.querySelector(arguments[0]); return i.complete && i.naturalWidth > 0",
                                tile + " img.snapshot"));
                        wait.until(b -> (Boolean) js.executeScript(
                                "const i = document.querySelectorAll(arguments[0]); return i.length > 0"
                                        + " && Array.from(i).every((x) => x.complete && x.naturalWidth > 0)",
                                tile + " ul.recent img"));
                    }
                    assertEquals(
                            "RUNNING",
                            browser.findElement(By.cssSelector(tile + " .state"))
                                    .getText());
                }
                String garage = "#camera-wall article[data-camera='" + cameras.get(2) + "']";
                wait.until(b -> b.findElement(By.cssSelector(garage + " .state"))
                        .getText()
                        .equals("FAILED"));
                assertEquals(
                        "connection refused by 10.0.0.9:554",
                        browser.findElement(By.cssSelector(garage + " .cam-error"))
                                .getText());
                assertTrue(
                        browser.findElements(By.cssSelector(garage + " .actions button"))
                                .isEmpty(),
                        "a config camera is not paused from the page");
                serious.addAll(axe.seriousViolations(browser, "cameras"));
                screenshots(browser, shots, "cameras");
                String lobby = "#camera-wall article[data-camera='" + cameras.get(0) + "']";
                browser.findElement(By.cssSelector(lobby + " .actions button")).click();
                wait.until(b -> b.findElement(By.cssSelector(lobby + " .actions button"))
                        .getText()
                        .equals("Resume"));
                boolean paused = false;
                for (JsonNode c : JSON.readTree(send(base, "GET", "/api/cameras", null))) {
                    if (c.get("camera").asText().equals(cameras.get(0))) {
                        paused = c.at("/spec/paused").asBoolean();
                    }
                }
                assertTrue(paused, "the pause reached the cameras topic");
                browser.findElement(By.cssSelector(lobby + " .actions button")).click();
                wait.until(b -> b.findElement(By.cssSelector(lobby + " .actions button"))
                        .getText()
                        .equals("Pause"));

                // review and history: their routes may not exist on this server yet; the tab says so, or lists
                tab(browser, "review");
                wait.until(b -> {
                    String m = b.findElement(By.id("review-msg")).getText();
                    return m.equals("The review queue is not available on this server.")
                            || m.equals("Nothing to review.")
                            || m.endsWith("decision(s) to review");
                });
                String review = browser.findElement(By.id("review-msg")).getText();
                if (!review.startsWith("The review queue is not available")) {
                    // the close calls, less those confirmed or rejected above, with their faces; confirmed by keyboard
                    assertTrue(review.endsWith("decision(s) to review"), review);
                    List<WebElement> queue = browser.findElements(By.cssSelector("#review-rows tr.match"));
                    // this test's close calls (a shared broker's other tests may have some in the queue too)
                    List<WebElement> ours = queue.stream()
                            .filter(r -> cameras.stream()
                                    .anyMatch(
                                            c -> r.getAttribute("data-match-id").startsWith(c + "/")))
                            .toList();
                    assertTrue(ours.size() >= 8 && ours.size() <= 10, ours.size() + " in the review queue");
                    wait.until(b -> (Boolean) js.executeScript(
                            "return arguments[0].every((r) => Array.from(r.querySelectorAll("
                                    + "'td[data-label=\"track face\"] img')).every((x) => x.complete && x.naturalWidth > 0))",
                            ours));
                    String queued = queue.get(0).getAttribute("data-match-id");
                    js.executeScript("document.activeElement.blur()");
                    new Actions(browser).sendKeys("jc").perform();
                    wait.until(b -> b.findElement(By.id("review-msg")).getText().equals("confirmed " + queued));
                }
                serious.addAll(axe.seriousViolations(browser, "review"));
                tab(browser, "history");
                String history = wait.until(b -> {
                    String m = b.findElement(By.id("history-msg")).getText();
                    return m.equals("History is not available on this server.") || m.contains("decision(s)") ? m : null;
                });
                if (!history.startsWith("History is not available")) {
                    // one camera's decisions (17 of the 50), once the history has indexed them, with their faces
                    browser.findElement(By.id("h-camera")).sendKeys(cameras.get(0));
                    wait.until(b -> {
                        String m = b.findElement(By.id("history-msg")).getText();
                        if (m.equals("17 decision(s)")) {
                            return true;
                        }
                        if (!m.equals("loading...")) {
                            b.findElement(By.cssSelector("#history-form button[type=submit]"))
                                    .click();
                        }
                        return false;
                    });
                    for (WebElement row : browser.findElements(By.cssSelector("#history-rows tr.match"))) {
                        assertEquals(
                                cameras.get(0),
                                row.findElement(By.cssSelector("td[data-label=camera]"))
                                        .getText());
                    }
                    wait.until(b -> (Boolean) js.executeScript(
                            "const i = Array.from(document.querySelectorAll('#history-rows td[data-label=\"track face\"] img'));"
                                    + " return i.length === 17 && i.every((x) => x.complete && x.naturalWidth > 0)"));
                }
                serious.addAll(axe.seriousViolations(browser, "history"));

                // gallery: thumbnails, one row per subject however many refreshes overlap, the search box, delete
                tab(browser, "gallery");
                // other tests' galleries on a shared broker may come first in the list: this test's is chosen
                wait.until(b -> b.findElements(By.cssSelector("#gallery-select option[value='" + gallery + "']"))
                                .size()
                        == 1);
                new Select(browser.findElement(By.id("gallery-select"))).selectByValue(gallery);
                wait.until(b ->
                        b.findElements(By.cssSelector("#subjects tr.subject")).size() == 2);
                // the reported double listing: a tab click while another reload was in flight appended the rows
                // of both; three loads at once must still list each subject once
                js.executeScript("""
                        document.querySelector('nav button[data-tab=gallery]').click();
                        document.getElementById('gallery-refresh').click();
                        document.querySelector('nav button[data-tab=gallery]').click();
                        """);
                Thread.sleep(2_000);
                assertEquals(
                        subjects(base, gallery).size(),
                        browser.findElements(By.cssSelector("#subjects tr.subject"))
                                .size(),
                        "each subject listed once");
                wait.until(b ->
                        (Boolean) js.executeScript("return Array.from(document.querySelectorAll('#subjects img.face'))"
                                + ".every((x) => x.complete && x.naturalWidth > 0)"));
                serious.addAll(axe.seriousViolations(browser, "gallery"));
                browser.findElement(By.id("subject-filter")).sendKeys("ALI");
                wait.until(b -> visibleSubjects(b).equals(List.of("alice")));
                browser.findElement(By.id("subject-filter")).clear();
                browser.findElement(By.id("subject-filter")).sendKeys("other");
                wait.until(b -> visibleSubjects(b).equals(List.of("olga")));
                browser.findElement(By.cssSelector("#subjects tr[data-subject=olga] button"))
                        .click();
                browser.switchTo().alert().accept();
                wait.until(b -> b.findElement(By.id("gallery-msg")).getText().equals("deleted olga"));
                wait.until(b ->
                        b.findElements(By.cssSelector("#subjects tr.subject")).size() == 1);
                assertEquals(1, subjects(base, gallery).size());

                tab(browser, "search");
                serious.addAll(axe.seriousViolations(browser, "search"));
                // the checker itself: a field without a label is reported as critical
                js.executeScript("const i = document.createElement('input'); i.id = 'unlabelled';"
                        + " document.getElementById('search').appendChild(i)");
                List<String> control = axe.seriousViolations(browser, "control");
                assertTrue(
                        control.stream().anyMatch(v -> v.startsWith("critical label") && v.contains("#unlabelled")),
                        "axe-core reports an unlabelled field: " + control);
            } finally {
                browser.quit();
            }
            assertTrue(
                    serious.isEmpty(), "serious or critical accessibility violations:\n" + String.join("\n", serious));
        }
    }

    private static void tab(WebDriver browser, String name) {
        browser.findElement(By.cssSelector("nav button[data-tab=" + name + "]")).click();
    }

    private static void enrol(WebDriver browser, WebDriverWait wait, String id, String name, Path photo)
            throws IOException {
        browser.findElement(By.id("subject-id")).clear();
        browser.findElement(By.id("subject-id")).sendKeys(id);
        browser.findElement(By.id("display-name")).clear();
        browser.findElement(By.id("display-name")).sendKeys(name);
        browser.findElement(By.id("enrol-image")).clear();
        browser.findElement(By.id("enrol-image")).sendKeys(photo.toRealPath().toString());
        browser.findElement(By.cssSelector("#enrol button")).click();
        wait.until(b -> b.findElement(By.id("gallery-msg")).getText().equals("enrolled " + id));
    }

    private static List<String> visibleSubjects(WebDriver browser) {
        return browser.findElements(By.cssSelector("#subjects tr.subject")).stream()
                .filter(WebElement::isDisplayed)
                .map(r -> r.getAttribute("data-subject"))
                .toList();
    }

    /** The section at laptop (1366 × 768) and tablet (768 × 1024) size; at the tablet's width nothing scrolls sideways. */
    private static void screenshots(WebDriver browser, Path dir, String name) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        for (Dimension size : List.of(new Dimension(768, 1024), new Dimension(1366, 768))) {
            setViewport(browser, size);
            Thread.sleep(500); // layout and the images of the new width
            Number overflow = (Number) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertTrue(overflow.intValue() <= 0, name + " scrolls sideways by " + overflow + " px at " + size);
            Path out = dir.resolve("page-" + name + "-" + (size.width == 768 ? "tablet" : "laptop") + ".png");
            Files.write(out, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        }
    }

    /** Sets the window so that the viewport (what the page sees, and the screenshot) has the given size. */
    private static void setViewport(WebDriver browser, Dimension size) {
        browser.manage().window().setSize(size);
        JavascriptExecutor js = (JavascriptExecutor) browser;
        int w = ((Number) js.executeScript("return window.innerWidth")).intValue();
        int h = ((Number) js.executeScript("return window.innerHeight")).intValue();
        if (w != size.width || h != size.height) {
            browser.manage().window().setSize(new Dimension(2 * size.width - w, 2 * size.height - h));
        }
    }

    private static List<JsonNode> subjects(String base, String gallery) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(send(base, "GET", "/api/galleries/" + gallery + "/subjects", null))
                .forEach(out::add);
        return out;
    }

    private static int matchCount(String base) throws Exception {
        return JSON.readTree(send(base, "GET", "/api/matches?limit=1000", null))
                .get("matches")
                .size();
    }

    private static String send(String base, String method, String path, String json) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY);
        if (json != null) {
            r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> res = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(res.statusCode() / 100 == 2, method + " " + path + ": " + res.statusCode() + " " + res.body());
        return res.body();
    }

    /** The image scaled to cover width × height (cut to that shape), as JPEG. */
    private static byte[] jpeg(BufferedImage src, int width, int height) throws IOException {
        double scale = Math.max((double) width / src.getWidth(), (double) height / src.getHeight());
        int w = (int) Math.round(src.getWidth() * scale);
        int h = (int) Math.round(src.getHeight() * scale);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, (width - w) / 2, (height - h) / 2, w, h, null);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "jpg", bytes);
        return bytes.toByteArray();
    }
}

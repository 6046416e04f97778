package io.facestream.match.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.api.Multipart;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's corrections, done on the page in the real browser against real services (broker, embed service with
 * MTCNN and MobileFaceNet, match service) and real photos: a HIT is rejected with the page's button; the same person
 * filmed again is no longer a HIT for that subject while another enrolled person still is; the track is enrolled from
 * the page under a new name and found as that person on the next visit; "Elsewhere" lists her other tracks.
 */
@KafkaBroker
class CorrectionsInBrowserTest {
    private static final String KEY = "browser-corrections-key-0123456789";
    private static final int FRAMES = 4;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aHitRejectedOnThePageIsNotRepeatedAndATrackEnrolledThereIsFound(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        assumeTrue(Chromium.available(), "needs Debian chromium and chromium-driver");
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String gallery = "page-corr-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, Object> o = FaceServices.config("pagecorr", run, dir, KEY, gallery);
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        FaceServices.startAtEnd(bootstrap, "pagecorr", run);
        ConsumerGroups.startAtEnd(bootstrap, "pagecorr-verify-" + run, TopicCatalog.MATCHES);
        byte[] woman = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        byte[] other = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.OTHER));

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> verify =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "pagecorr-verify-" + run));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "pagecorr-" + run))) {
            match.awaitRunning(Duration.ofSeconds(60));
            verify.subscribe(List.of(TopicCatalog.MATCHES));
            String base = "http://127.0.0.1:" + match.apiPort();
            FaceServices.enrol(
                    http,
                    KEY,
                    base,
                    gallery,
                    "alice",
                    null,
                    Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A)));
            Multipart bob = new Multipart().field("subject_id", "bob").file("image", "bob.jpg", other);
            HttpResponse<String> enrolled = FaceServices.post(
                    http, KEY, base + "/api/galleries/" + gallery + "/subjects", bob.contentType(), bob.body());
            assertEquals(201, enrolled.statusCode(), enrolled.body());
            Map<String, Match> decisions = new HashMap<>();

            WebDriver browser = Chromium.start(dir.resolve("chromium-profile"));
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.manage().window().setSize(new org.openqa.selenium.Dimension(1366, 900));
                browser.get(base + "/");
                wait.until(b -> b.findElement(By.id("login")).isDisplayed());
                browser.findElement(By.id("key")).sendKeys(KEY);
                browser.findElement(By.cssSelector("#login-form button")).click();
                wait.until(b -> b.findElement(By.id("live")).isDisplayed());

                // 1. the woman is a HIT for alice; the operator rejects it with the row's button
                Match first = film(base, producer, verify, decisions, "cam1-" + run, woman);
                assertEquals(Match.Decision.HIT, first.decision(), first.toString());
                assertEquals("alice", first.best().subjectId());
                // the row shows the track's best faces (a track of 4 faces keeps its 3 best), then the gallery face
                assertEquals(3, first.bestFaces().size(), first.toString());
                wait.until(b -> row(b, wait, first.matchId())
                                .findElements(By.cssSelector("td[data-label='track face'] img"))
                                .size()
                        == 3);
                click(browser, row(browser, wait, first.matchId()).findElement(By.cssSelector("button.reject")));
                wait.until(b -> b.findElement(By.id("live-msg")).getText().equals("rejected " + first.matchId()));
                wait.until(b -> row(b, wait, first.matchId())
                        .findElement(By.cssSelector("td[data-label=feedback]"))
                        .getText()
                        .contains("rejected"));

                // 2. the same woman filmed again: no longer alice's HIT; 3. bob still is bob's
                Match again = film(base, producer, verify, decisions, "cam2-" + run, woman);
                assertFalse(
                        again.decision() == Match.Decision.HIT
                                && "alice".equals(again.best().subjectId()),
                        "the rejected person is not alice's HIT again: " + again);
                assertTrue(
                        again.candidates().stream().noneMatch(c -> c.subjectId().equals("alice")),
                        "alice is vetoed: " + again);
                Match bobSeen = film(base, producer, verify, decisions, "cam3-" + run, other);
                assertEquals(Match.Decision.HIT, bobSeen.decision(), bobSeen.toString());
                assertEquals("bob", bobSeen.best().subjectId());
                wait.until(b -> row(b, wait, bobSeen.matchId()).getText().contains("bob"));

                // 4. her second track is enrolled from the page as carol
                WebElement track = row(browser, wait, again.matchId());
                click(browser, track.findElement(By.cssSelector("button.enrol-track")));
                WebElement id =
                        wait.until(b -> row(b, wait, again.matchId()).findElement(By.cssSelector("input.enrol-id")));
                id.sendKeys("carol");
                click(
                        browser,
                        row(browser, wait, again.matchId())
                                .findElement(By.cssSelector("form.enrol-track-form button")));
                String expected = "enrolled track " + again.cameraId() + "/" + again.trackId() + " as carol";
                wait.until(b -> b.findElement(By.id("live-msg")).getText().equals(expected));

                // 5. her next visit: carol's HIT, shown on the page
                Match carol = film(base, producer, verify, decisions, "cam4-" + run, woman);
                assertEquals(Match.Decision.HIT, carol.decision(), carol.toString());
                assertEquals("carol", carol.best().subjectId());
                wait.until(b -> row(b, wait, carol.matchId()).getText().contains("carol"));

                // 6. seen elsewhere: once her tracks are closed, "Elsewhere" on the last one lists the earlier ones
                FaceServices.awaitDecision(verify, decisions, "cam4-" + run + "/1/FINAL", Duration.ofSeconds(60));
                String fin = "cam4-" + run + "/1/FINAL";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                List<String> seen = List.of();
                while (System.nanoTime() < deadline) {
                    row(browser, wait, fin)
                            .findElement(By.cssSelector("button.elsewhere"))
                            .click();
                    wait.until(b ->
                            !b.findElement(By.id("elsewhere-msg")).getText().startsWith("searching"));
                    seen = browser.findElements(By.cssSelector("#elsewhere-rows tr.sighting")).stream()
                            .map(e -> e.getAttribute("data-track"))
                            .toList();
                    if (seen.contains("cam1-" + run + "/1") && seen.contains("cam2-" + run + "/1")) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertTrue(
                        seen.contains("cam1-" + run + "/1") && seen.contains("cam2-" + run + "/1"),
                        "her earlier tracks are seen elsewhere: " + seen + " ("
                                + browser.findElement(By.id("elsewhere-msg")).getText() + ")");
                // bob's track, if it scores above the page's floor at all, comes after both of hers
                int bobAt = seen.indexOf("cam3-" + run + "/1");
                assertTrue(
                        bobAt < 0
                                || (bobAt > seen.indexOf("cam1-" + run + "/1")
                                        && bobAt > seen.indexOf("cam2-" + run + "/1")),
                        "closest first: " + seen);
            } finally {
                browser.quit();
            }
        }
    }

    private Match film(
            String base,
            KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> verify,
            Map<String, Match> decisions,
            String camera,
            byte[] photo)
            throws Exception {
        return FaceServices.film(http, KEY, base, producer, verify, decisions, camera, photo, FRAMES);
    }

    /** A click as an operator makes it: the button scrolled to the middle of the window first (the header stays). */
    private static void click(WebDriver browser, WebElement button) {
        ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("arguments[0].scrollIntoView({block: 'center'})", button);
        button.click();
    }

    /** The live table's row of a decision, once the page shows it. */
    private static WebElement row(WebDriver browser, WebDriverWait wait, String matchId) {
        return wait.until(b -> b.findElements(By.cssSelector("#matches tr[data-match-id='" + matchId + "']")).stream()
                .findFirst()
                .orElse(null));
    }
}

package io.facestream.match.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.runtime.MatchService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless browser (Debian chromium + chromium-driver), against the running system: log in
 * with a key, create a gallery and enrol a person by uploading a photo, then frames of another photo of that person
 * go through embed and match, and the live table must show the HIT with both faces (the two photographs of one
 * woman among the {@link SamplePhotos} portraits). Skips without the browser or its driver.
 */
@KafkaBroker
class PageInBrowserTest {
    private static final String KEY = "page-test-key-0123456789";

    @Test
    void logInEnrolByUploadAndSeeALiveMatch(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        assumeTrue(Chromium.available(), "needs Debian chromium and chromium-driver");
        SamplePhotos photos = SamplePhotos.fetch();

        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "page-cam-" + run;
        String gallery = "page-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, Object> o = new HashMap<>();
        o.put("kafka.bootstrap", bootstrap);
        o.put("models.dir", ModelZoo.defaultStore().root().toString());
        o.put("embed.service.group-id", "page-embed-" + run);
        o.put("embed.service.instance-id", "page-" + run);
        o.put("embed.service.mode", "complete");
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.desk.key", KEY);
        o.put("api.keys.desk.role", "admin");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", "page-test-" + run);
        o.put("match.gallery", gallery);
        o.put("match.track.idle-close", "1s");
        o.put("match.track.idle-check", "200ms");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        ConsumerGroups.startAtEnd(bootstrap, "page-embed-" + run, TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, "page-test-" + run, TopicCatalog.FACES);

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap)) {
            match.awaitRunning(Duration.ofSeconds(60));
            WebDriver browser = Chromium.start(dir.resolve("chromium-profile"));
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.get("http://127.0.0.1:" + match.apiPort() + "/");

                browser.findElement(By.id("key")).sendKeys("not-the-key-0123456789");
                browser.findElement(By.cssSelector("#login-form button")).click();
                wait.until(b -> b.findElement(By.id("login-error")).getText().contains("Login failed"));
                browser.findElement(By.id("key")).clear();
                browser.findElement(By.id("key")).sendKeys(KEY);
                browser.findElement(By.cssSelector("#login-form button")).click();
                wait.until(b -> b.findElement(By.id("live")).isDisplayed());

                browser.findElement(By.cssSelector("nav button[data-tab=gallery]"))
                        .click();
                browser.findElement(By.id("new-gallery")).sendKeys(gallery);
                browser.findElement(By.cssSelector("#create-gallery button")).click();
                wait.until(b -> b.findElements(By.cssSelector("#gallery-select option[value='" + gallery + "']"))
                                .size()
                        == 1);
                new Select(browser.findElement(By.id("gallery-select"))).selectByValue(gallery);
                browser.findElement(By.id("subject-id")).sendKeys("alice");
                browser.findElement(By.id("display-name")).sendKeys("Alice");
                browser.findElement(By.id("enrol-image"))
                        .sendKeys(photos.portrait(SamplePhotos.Portrait.SAME_A)
                                .toRealPath()
                                .toString());
                browser.findElement(By.cssSelector("#enrol button")).click();
                wait.until(b -> b.findElement(By.id("gallery-msg")).getText().equals("enrolled alice"));
                wait.until(b ->
                        b.findElements(By.cssSelector("#subjects tr.subject")).size() == 1);

                browser.findElement(By.cssSelector("nav button[data-tab=live]")).click();
                sendFrames(bootstrap, camera, Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B)), 5);

                By hitRow = By.xpath("//tbody[@id='matches']/tr[td[6]='" + camera + "' and td[8]='FINAL']");
                WebElement row = wait.until(
                        b -> b.findElements(hitRow).stream().findFirst().orElse(null));
                List<WebElement> cells = row.findElements(By.tagName("td"));
                assertEquals("HIT", cells.get(2).getText(), row.getText());
                assertEquals("alice", cells.get(3).getText(), row.getText());
                // both faces are real images the browser loaded: the track's best face and the gallery crop
                for (int i = 0; i < 2; i++) {
                    WebElement img = cells.get(i).findElement(By.tagName("img"));
                    wait.until(b ->
                            ((Number) ((JavascriptExecutor) b).executeScript("return arguments[0].naturalWidth", img))
                                            .intValue()
                                    > 0);
                }
                String score = cells.get(4).getText();
                assertTrue(score.matches("0\\.\\d{3} / 0\\.\\d{3}"), "score / threshold: " + score);

                // a late decision (a track of the catch-up pass after an outage) is marked as such in the stage column
                String past = camera + "-past";
                long endUs = System.currentTimeMillis() * 1000 - 61_000_000L;
                io.facestream.core.events.Match late = new io.facestream.core.events.Match(
                        past + "/4/FINAL",
                        "4",
                        past,
                        endUs - 600_000,
                        endUs,
                        io.facestream.core.events.Match.Stage.FINAL,
                        io.facestream.core.events.Match.Decision.UNKNOWN,
                        0.4,
                        gallery,
                        new io.facestream.core.events.Match.ModelId("mobilefacenet", "1"),
                        List.of(),
                        6,
                        null,
                        true,
                        61_000);
                try (var producer =
                        new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "page-late-" + camera))) {
                    producer.send(new ProducerRecord<>(
                                    TopicCatalog.MATCHES,
                                    past,
                                    io.facestream.core.events.JsonSerde.match()
                                            .serializer()
                                            .serialize(TopicCatalog.MATCHES, late)))
                            .get();
                }
                By lateRow = By.xpath("//tbody[@id='matches']/tr[td[6]='" + past + "']");
                WebElement marked = wait.until(
                        b -> b.findElements(lateRow).stream().findFirst().orElse(null));
                assertTrue(marked.getAttribute("class").contains("late"), marked.getAttribute("class"));
                assertEquals(
                        "FINAL · late 61 s",
                        marked.findElements(By.tagName("td")).get(7).getText());
                assertFalse(row.getAttribute("class").contains("late"), "a live decision is not marked");

                // the key was exchanged for an HttpOnly session: it is in no URL the page loaded, in no storage, and
                // the
                // script cannot read the session cookie
                JavascriptExecutor js = (JavascriptExecutor) browser;
                String urls = String.valueOf(
                        js.executeScript("return performance.getEntriesByType('resource').map(e => e.name).join(' ')"));
                assertTrue(urls.contains("/crop"), "the face images were loaded: " + urls);
                assertFalse(urls.contains("key=") || urls.contains(KEY), "a key in a URL: " + urls);
                assertEquals("", js.executeScript("return document.cookie"));
                String storage = String.valueOf(
                        js.executeScript("return JSON.stringify(sessionStorage) + JSON.stringify(localStorage)"));
                assertFalse(storage.contains(KEY), storage);
                // a reload keeps the session (the cookie), without the key
                browser.navigate().refresh();
                wait.until(b -> b.findElement(By.id("live")).isDisplayed());
                browser.findElement(By.id("logout")).click();
                wait.until(b -> b.findElement(By.id("login")).isDisplayed());
            } finally {
                browser.quit();
            }
        }
    }

    /** Frames as a camera would send them: the photo as JPEG, 100 ms apart in capture time. */
    private static void sendFrames(String bootstrap, String camera, byte[] jpeg, int frames) {
        long t0 = System.currentTimeMillis() * 1000;
        try (var producer =
                new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "page-frames-" + camera))) {
            for (int seq = 0; seq < frames; seq++) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg);
                r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
                r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(t0 + seq * 100_000L));
                producer.send(r);
            }
            producer.flush();
        }
    }
}

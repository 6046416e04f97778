package io.facestream.ops.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.Health;
import io.facestream.core.health.HealthRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceRunnerTest {

    @Test
    void aComponentThatFailsForGoodStopsTheProcessWithItsReason() throws Exception {
        FacestreamConfig config =
                FacestreamConfig.builder().isolated().flag("management.port", 0).build();
        AtomicReference<Health> embed = new AtomicReference<>(Health.up("running"));
        AtomicBoolean closed = new AtomicBoolean();
        HealthRegistry health = new HealthRegistry().register("embed", embed::get);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ServiceRunner.run(config, () -> closed.set(true), health, "test service");
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        Thread.sleep(700);
        assertTrue(!outcome.isDone() && !closed.get(), "runs while every component is up");
        embed.set(Health.failed("stopped: the producer was fenced"));
        Throwable e = outcome.get(10, TimeUnit.SECONDS);
        assertTrue(e instanceof ServiceRunner.ComponentFailed, String.valueOf(e));
        assertEquals(
                "a component failed, stopping with exit code 1: embed: stopped: the producer was fenced",
                e.getMessage());
        assertTrue(closed.get(), "the service was closed before the process ends");
    }
}

package io.facestream.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthRegistryTest {

    @Test
    void readyNeedsEveryComponentUpAndLiveOnlyThatNoneFailed() {
        AtomicReference<Health> embed = new AtomicReference<>(Health.up("ok"));
        HealthRegistry registry = new HealthRegistry()
                .register("broker", () -> Health.up("1 broker(s)"))
                .register("embed", embed::get);
        assertTrue(registry.report().ready());
        assertTrue(registry.report().live());

        embed.set(Health.down("3 transaction(s) in a row failed"));
        assertFalse(registry.report().ready());
        assertTrue(registry.report().live(), "DOWN may recover by itself: the process stays");
        assertNull(registry.report().firstFailure());

        embed.set(Health.failed("stopped: fenced"));
        assertFalse(registry.report().live());
        assertEquals("embed: stopped: fenced", registry.report().firstFailure());
        Map<String, Object> body = registry.report().toJson(true);
        assertEquals("FAILED", body.get("status"));
        assertEquals(
                Map.of("status", "FAILED", "detail", "stopped: fenced"),
                ((Map<?, ?>) body.get("components")).get("embed"));
    }

    @Test
    void aCheckThatThrowsIsDownWithTheReasonAndNamesAreUnique() {
        HealthRegistry registry = new HealthRegistry().register("match.gallery", () -> {
            throw new IllegalStateException("index closed");
        });
        Health h = registry.report().components().get("match.gallery");
        assertEquals(Health.Status.DOWN, h.status());
        assertTrue(h.detail().contains("index closed"), h.detail());
        assertThrows(IllegalArgumentException.class, () -> registry.register("match.gallery", () -> Health.up("")));
    }
}

package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIdentityTest {

    @Test
    void twoRunningInstancesGetTwoNamesAndARestartGetsItsOldOneBack(@TempDir Path dir) {
        String first;
        String second;
        try (InstanceIdentity a = InstanceIdentity.claim(dir);
                InstanceIdentity b = InstanceIdentity.claim(dir)) {
            first = a.id();
            second = b.id();
            assertNotEquals(first, second, "two instances on one host must not share a transactional id");
            assertTrue(first.startsWith("embed-"), first);
        }
        try (InstanceIdentity again = InstanceIdentity.claim(dir)) {
            assertEquals(first, again.id(), "a restarted instance takes its old slot, so it fences its own zombie");
        }
    }
}

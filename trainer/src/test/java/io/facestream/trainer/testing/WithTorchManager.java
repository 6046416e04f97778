package io.facestream.trainer.testing;

import ai.djl.ndarray.NDManager;
import io.facestream.trainer.torch.TorchRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A PyTorch NDManager for one test class, opened before its first test and closed after its last. */
public abstract class WithTorchManager {
    protected static NDManager manager;

    @BeforeAll
    static void openManager() {
        manager = TorchRuntime.engine().newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }
}

package io.facestream.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * An integration test: it starts real processes, brokers or browsers. Such tests are tagged {@code integration}, run
 * by failsafe in {@code mvn verify} (so {@code mvn test} is the fast loop), and each test method gets at most
 * {@link #MINUTES} minutes: a hang fails the test instead of holding the build. {@link KafkaBroker} implies it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("integration")
@Timeout(value = Integration.MINUTES, unit = TimeUnit.MINUTES)
public @interface Integration {
    long MINUTES = 5;
}

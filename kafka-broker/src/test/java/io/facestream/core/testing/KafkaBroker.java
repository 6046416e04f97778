package io.facestream.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka broker: one embedded KRaft broker shared by the whole test JVM, or the broker named
 * by {@code -Dkafka.bootstrap=host:port}. Inject its address with {@code @KafkaBroker.Bootstrap String bootstrap}.
 * A broker test is an {@link Integration} test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaBrokerExtension.class)
@Integration
public @interface KafkaBroker {

    /** Marks the String parameter that receives the bootstrap address. */
    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Bootstrap {}
}

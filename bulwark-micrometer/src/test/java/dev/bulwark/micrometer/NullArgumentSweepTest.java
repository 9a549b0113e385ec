package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.test.NullSweep;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * Every public constructor and method of the module, given null for a parameter, throws a
 * NullPointerException naming it (see {@link NullSweep}).
 */
class NullArgumentSweepTest {

  @Test
  void everyPublicMethodRefusesNullNamingTheParameter() {
    Resilience resilience = new Exercise().resilience;
    URI webhook = URI.create("http://127.0.0.1:9/");
    try (BulwarkMetrics metrics = BulwarkMetrics.bind(resilience, new SimpleMeterRegistry());
        BulwarkLogs logs = BulwarkLogs.attach(resilience);
        HealthAlerts alerts = HealthAlerts.builder(webhook).start(resilience)) {
      assertThat(
              NullSweep.ofPackage("dev.bulwark.micrometer")
                  .defaultValue(Resilience.class, resilience)
                  .defaultValue(MeterRegistry.class, new SimpleMeterRegistry())
                  .defaultValue(Tags.class, Tags.empty())
                  .defaultValue(URI.class, webhook)
                  .defaultValue(HttpClient.class, HttpClient.newHttpClient())
                  .instance(metrics)
                  .instance(logs)
                  .instance(alerts)
                  .instance(BulwarkMetrics.builder())
                  .instance(BulwarkLogs.builder())
                  .instance(HealthAlerts.builder(webhook))
                  .run())
          .isEmpty();
    }
  }
}

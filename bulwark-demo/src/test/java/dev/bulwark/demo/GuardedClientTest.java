package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The protected client against the real flaky service on loopback, its policies on a manual clock:
 * the breaker is opened and the limiter's hold set by hand, so nothing waits for a policy.
 */
class GuardedClientTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final Resilience resilience =
      Resilience.builder().clock(clock).scheduler(new ManualScheduler(clock)).build();
  private FlakyHttpService service;
  private GuardedClient client;

  @BeforeEach
  void start() throws IOException {
    service =
        FlakyHttpService.start(
            "test", Timeline.standard(), clock, new ManualScheduler(clock), () -> 0.5);
    client = new GuardedClient(service.uri(), resilience, Protection.standard());
  }

  @AfterEach
  void stop() {
    client.close();
    service.close();
  }

  @Test
  void namesTheServicesBreakerAfterItsHostAndPort() {
    assertThat(client.breaker().name()).isEqualTo("127.0.0.1:" + service.uri().getPort());
    assertThat(client.limiter().name()).isEqualTo(client.breaker().name());
  }

  @Test
  void servesTheLastKnownGoodBodyOfTheSameItemWhileTheBreakerIsOpen() {
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FRESH);

    resilience.forceOpen(client.breaker().name());

    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FALLBACK);
    assertThat(client.fetch("sku-2")).isEqualTo(Answer.FAILED); // nothing known about it yet
    assertThat(client.counts()).isEqualTo(new ClientCounts(0, 0, 2));
    assertThat(client.cacheStats().fallbackUses()).isEqualTo(1); // from the cache's process level
    assertThat(client.cacheStats().processHits()).isEqualTo(1);
    assertThat(client.cacheStats().loadsSaved()).isEqualTo(1); // an answer without the service
    assertThat(service.counts().calls()).isEqualTo(1);
    assertThat(client.attempts()).isEqualTo(1);
  }

  @Test
  void holdsCallersBackWithoutACallUntilThePauseTheServerAskedForEnds() {
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FRESH);

    client.limiter().holdFor(Duration.ofSeconds(1)); // as a Retry-After: 1 does

    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FALLBACK);
    assertThat(client.counts()).isEqualTo(new ClientCounts(0, 1, 0));
    assertThat(service.counts().calls()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FRESH);
    assertThat(service.counts().calls()).isEqualTo(2);
  }
}

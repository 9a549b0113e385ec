package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.server.ResponseStatusException;

/**
 * The sample application: a flaky service on the loopback, called through an annotated bean whose
 * {@code RestClient} sends through {@link BulwarkHttpInterceptor}. The breaker opens, the fallback
 * answers, the actuator lists the breaker and resets it, and health goes DOWN and comes back.
 */
@SpringBootTest(
    classes = SampleApplicationTest.SampleApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "bulwark.circuit-breaker.instances.quotes.failure-threshold=2",
      "management.endpoints.web.exposure.include=bulwark,health",
      "management.endpoint.bulwark.access=unrestricted",
      "management.endpoint.health.show-details=always"
    })
class SampleApplicationTest {
  private static final ParameterizedTypeReference<Map<String, Object>> JSON =
      new ParameterizedTypeReference<>() {};

  @Autowired QuoteClient quotes;
  @Autowired FlakyService flaky;
  @Autowired Resilience resilience;
  @Autowired TestRestTemplate http;
  @Autowired MeterRegistry meters;

  @Test
  void theBreakerOpensTheFallbackAnswersTheActuatorResetsItAndHealthComesBack() {
    assertThat(quotes.quote()).isEqualTo("live quote");
    assertThat(health()).isEqualTo(HttpStatus.OK);

    flaky.failing(true);
    assertThat(quotes.quote()).isEqualTo("cached quote");
    assertThat(quotes.quote()).isEqualTo("cached quote");
    int served = flaky.requests();
    assertThat(quotes.quote()).isEqualTo("cached quote"); // open: the service is not called
    assertThat(flaky.requests()).isEqualTo(served);
    // each failed GET was tried 3 times by bulwark-http's retry for the host (its default): 1 + 2 x
    // 3
    assertThat(served).isEqualTo(7);

    Map<String, Object> listing = get("/actuator/bulwark");
    assertThat(listing).extractingByKey("policies").asString().contains("quotes");
    assertThat(get("/actuator/bulwark/quotes").toString()).contains("OPEN");
    assertThat(health()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(breakerStateGauge()).as("bulwark-micrometer's gauge: 1 is open").isEqualTo(1.0);
    assertThat(http.exchange("/actuator/health", HttpMethod.GET, null, JSON).getBody())
        .asString()
        .contains("openBreakers=[quotes]");

    flaky.failing(false);
    ResponseEntity<Map<String, Object>> reset =
        http.exchange(
            "/actuator/bulwark/quotes",
            HttpMethod.POST,
            new HttpEntity<>(Map.of("action", "reset")),
            JSON);
    assertThat(reset.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(resilience.circuitBreaker("quotes").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(health()).isEqualTo(HttpStatus.OK);
    assertThat(breakerStateGauge()).isEqualTo(0.0);
    assertThat(quotes.quote()).isEqualTo("live quote");
  }

  private double breakerStateGauge() {
    return meters.get("bulwark.circuitbreaker.state").tag("name", "quotes").gauge().value();
  }

  private HttpStatus health() {
    return HttpStatus.valueOf(
        http.exchange("/actuator/health", HttpMethod.GET, null, JSON).getStatusCode().value());
  }

  private Map<String, Object> get(String path) {
    ResponseEntity<Map<String, Object>> response = http.exchange(path, HttpMethod.GET, null, JSON);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    return response.getBody();
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import({FlakyService.class, QuoteClient.class})
  static class SampleApplication {
    @Bean
    RestClient quotesRestClient(RestClient.Builder builder, BulwarkHttpInterceptor bulwark) {
      return builder.requestInterceptor(bulwark).build();
    }
  }

  /** The flaky service, on the same server. */
  @RestController
  static class FlakyService {
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();

    @GetMapping("/flaky/quote")
    String quote() {
      requests.incrementAndGet();
      if (failing.get()) {
        throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "down");
      }
      return "live quote";
    }

    void failing(boolean on) {
      failing.set(on);
    }

    int requests() {
      return requests.get();
    }
  }

  /** Calls the flaky service through the annotations and the interceptor. */
  static class QuoteClient {
    private final RestClient client;
    private final Environment environment;

    QuoteClient(RestClient client, Environment environment) {
      this.client = client;
      this.environment = environment;
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "quotes", fallbackMethod = "cached")
    public String quote() {
      String port = environment.getProperty("local.server.port");
      return client
          .get()
          .uri("http://localhost:" + port + "/flaky/quote")
          .retrieve()
          .body(String.class);
    }

    String cached(Throwable failure) {
      return "cached quote";
    }
  }
}

package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

/** Without {@code management.endpoint.bulwark.access=unrestricted}, the endpoint only reads. */
@SpringBootTest(
    classes = SampleApplicationTest.SampleApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "management.endpoints.web.exposure.include=bulwark")
class EndpointWritesOffTest {
  @Autowired Resilience resilience;
  @Autowired TestRestTemplate http;

  @Test
  void writesAreRefusedUnlessAllowedAndReadsServed() {
    resilience.forceOpen("payments");

    HttpStatus write =
        HttpStatus.valueOf(
            http.exchange(
                    "/actuator/bulwark/payments",
                    HttpMethod.POST,
                    new HttpEntity<>(Map.of("action", "reset")),
                    String.class)
                .getStatusCode()
                .value());

    assertThat(write.is4xxClientError()).as("POST answered %s", write).isTrue();
    assertThat(resilience.circuitBreaker("payments").state())
        .isEqualTo(CircuitBreaker.State.FORCED_OPEN);
    assertThat(http.getForEntity("/actuator/bulwark/payments", String.class).getBody())
        .contains("FORCED_OPEN");
  }
}

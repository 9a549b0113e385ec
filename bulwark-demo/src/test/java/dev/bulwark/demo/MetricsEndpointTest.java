package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.admin.AdminServer;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The showcase's admin server serves the registry's meters at {@code /metrics}, as documented. */
class MetricsEndpointTest {
  private static final Pattern DOC_ROW = Pattern.compile("^\\| `(bulwark_[a-z_]+)` \\|");

  @Test
  void metricsServesTheBreakersMetersUnderTheDocumentedNames() throws Exception {
    Resilience resilience = Resilience.builder().build();
    try (AdminServer admin = Showcase.admin(resilience, 0, "0123456789abcdef-token")) {
      CircuitBreaker breaker = resilience.circuitBreaker("inventory");
      breaker.call(() -> "ok");

      HttpResponse<String> scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(admin.uri() + "metrics")).GET().build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      Set<String> served = new TreeSet<>();
      for (String line : scrape.body().split("\n")) {
        if (line.startsWith("bulwark_")) {
          int end = line.indexOf('{');
          served.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
        }
      }
      assertThat(served)
          .contains("bulwark_circuitbreaker_state")
          .allSatisfy(name -> assertThat(documented()).contains(name));
      assertThat(scrape.body()).contains("name=\"inventory\"");
    }
  }

  private static Set<String> documented() throws Exception {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("..", "docs", "metrics.md"))) {
      Matcher m = DOC_ROW.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}

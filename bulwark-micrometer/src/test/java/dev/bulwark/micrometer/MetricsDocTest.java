package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.redis.FleetLimiter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MetricsDocTest {

  private static final Pattern DOC_ROW = Pattern.compile("^\\| `(bulwark_[a-z_]+)` \\|");

  @AfterAll
  static void closeFleetConnections() {
    FleetLimiter.closeSharedFleets();
  }

  @Test
  void scrapedNamesAreExactlyThoseListedInTheDocs() throws Exception {
    Exercise exercise = new Exercise();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BulwarkMetrics metrics =
        BulwarkMetrics.builder()
            .callTimers(true)
            .policyEvents(true)
            .healthStatus(true)
            .bind(exercise.resilience, prometheus)) {
      exercise.everyKind();

      assertThat(sampleNames(prometheus.scrape())).isEqualTo(documentedNames());
      assertThat(metrics.maxNamesPerKind()).isEqualTo(BulwarkMetrics.DEFAULT_MAX_NAMES_PER_KIND);
    }
  }

  static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("bulwark_")) {
        int end = line.indexOf('{');
        names.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
      }
    }
    return names;
  }

  static Set<String> documentedNames() throws Exception {
    Path doc =
        Path.of(
            System.getProperty("maven.multiModuleProjectDirectory", ".."), "docs", "metrics.md");
    if (!Files.exists(doc)) {
      doc = Path.of("..", "docs", "metrics.md");
    }
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(doc)) {
      Matcher m = DOC_ROW.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}

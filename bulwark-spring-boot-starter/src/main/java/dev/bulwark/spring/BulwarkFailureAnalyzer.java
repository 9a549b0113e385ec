package dev.bulwark.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start that failed on a Bulwark property, naming it, in Spring Boot's report. */
final class BulwarkFailureAnalyzer extends AbstractFailureAnalyzer<BulwarkPropertyException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BulwarkPropertyException cause) {
    return new FailureAnalysis(
        "Bulwark could not be configured: " + cause.getMessage(),
        "Fix the property in application.properties, application.yml or the environment; every"
            + " Bulwark property and its range is in docs/configuration.md and the IDE's"
            + " metadata.",
        cause);
  }
}

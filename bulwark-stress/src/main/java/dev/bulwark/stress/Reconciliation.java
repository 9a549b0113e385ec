package dev.bulwark.stress;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks of one soak run and the mismatches they found. Every check says what was compared,
 * both numbers and where each comes from, so a failure reads as a bug report.
 *
 * <p>Thread-safe (checks are made by the main thread at the end, but may be added concurrently).
 */
final class Reconciliation {
  private final List<String> mismatches = new ArrayList<>();
  private int checks;

  /** {@code actual} must equal {@code expected}. */
  synchronized void equal(
      String scenario, String what, long expected, long actual, String sources) {
    checks++;
    if (expected != actual) {
      mismatches.add(
          String.format(
              "[%s] %s: expected %d, got %d (difference %+d) -- %s",
              scenario, what, expected, actual, actual - expected, sources));
    }
  }

  /** {@code actual} must lie in [{@code low}, {@code high}]. */
  synchronized void between(
      String scenario, String what, long low, long actual, long high, String sources) {
    checks++;
    if (actual < low || actual > high) {
      mismatches.add(
          String.format(
              "[%s] %s: expected in [%d, %d], got %d -- %s",
              scenario, what, low, high, actual, sources));
    }
  }

  /** {@code condition} must hold. */
  synchronized void that(String scenario, boolean condition, String whatWentWrong) {
    checks++;
    if (!condition) {
      mismatches.add("[" + scenario + "] " + whatWentWrong);
    }
  }

  synchronized List<String> mismatches() {
    return List.copyOf(mismatches);
  }

  synchronized int checks() {
    return checks;
  }
}

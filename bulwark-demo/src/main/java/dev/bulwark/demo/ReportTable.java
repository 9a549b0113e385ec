package dev.bulwark.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Formats run reports side by side as a plain-text table, one column per run.
 *
 * <p>Thread-safe (stateless).
 */
public final class ReportTable {
  private static final int LABEL_WIDTH = 41;
  private static final int COLUMN_WIDTH = 17;

  private ReportTable() {}

  /**
   * The table of {@code reports}, one column each; {@code outage} names the outage's window in the
   * row of calls that reached the service while it was down, and {@code timeout} the per-attempt
   * timeout in the row of attempts it cut.
   */
  public static String format(List<RunReport> reports, String outage, Duration timeout) {
    List<String[]> rows = new ArrayList<>();
    rows.add(row(reports, "", RunReport::name));
    rows.add(row(reports, "requests sent by users", r -> count(r.requests())));
    rows.add(
        row(reports, "answered (fresh or fallback)", r -> counted(r, r.fresh() + r.fallback())));
    rows.add(row(reports, "  fresh from the service", r -> counted(r, r.fresh())));
    rows.add(row(reports, "  stale: last known good (fallback)", r -> counted(r, r.fallback())));
    rows.add(row(reports, "errors seen by users", r -> counted(r, r.failed())));
    rows.add(row(reports, "calls that reached the service", r -> count(r.serviceCalls())));
    rows.add(row(reports, "  while it was down (" + outage + ")", r -> count(r.outageCalls())));
    rows.add(row(reports, "  answered 429 Too Many Requests", r -> count(r.throttled())));
    rows.add(row(reports, "held back by Retry-After, no call made", r -> orDash(r.heldBack())));
    rows.add(row(reports, "refused by the open breaker, no call", r -> orDash(r.refused())));
    rows.add(
        row(
            reports,
            "attempts cut at the "
                + String.format(Locale.ROOT, "%.1f s", timeout.toMillis() / 1e3)
                + " timeout",
            r -> count(r.cut())));
    rows.add(row(reports, "wait seen by users, p50", r -> millis(r.p50Nanos())));
    rows.add(row(reports, "wait seen by users, p99", r -> millis(r.p99Nanos())));
    rows.add(row(reports, "outage end to first fresh answer", r -> seconds(r.recovery())));

    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      out.append(String.format(Locale.ROOT, "%-" + LABEL_WIDTH + "s", row[0]));
      for (int i = 1; i < row.length; i++) {
        out.append(String.format(Locale.ROOT, "%" + COLUMN_WIDTH + "s", row[i]));
      }
      out.append(System.lineSeparator());
    }
    return out.toString();
  }

  private static String[] row(
      List<RunReport> reports, String label, Function<RunReport, String> value) {
    String[] row = new String[reports.size() + 1];
    row[0] = label;
    for (int i = 0; i < reports.size(); i++) {
      row[i + 1] = value.apply(reports.get(i));
    }
    return row;
  }

  static String orDash(long n) {
    return n < 0 ? "-" : count(n);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String counted(RunReport report, long count) {
    return count(count) + " " + String.format(Locale.ROOT, "%6s", percent(report.share(count)));
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  static String millis(long nanos) {
    if (nanos < 0) {
      return "-";
    }
    double ms = nanos / 1e6;
    return ms < 10
        ? String.format(Locale.ROOT, "%.1f ms", ms)
        : String.format(Locale.ROOT, "%,.0f ms", ms);
  }

  static String seconds(Optional<Duration> duration) {
    return duration
        .map(d -> String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9))
        .orElse("never");
  }
}

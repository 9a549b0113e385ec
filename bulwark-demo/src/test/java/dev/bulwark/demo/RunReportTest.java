package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RunReportTest {
  private static final long MS = 1_000_000;
  private static final Timeline TIMELINE = Timeline.standard();
  private static final long OUTAGE_END_NANOS = Duration.ofSeconds(21).toNanos();
  private static final ServiceCounts NO_CALLS =
      new ServiceCounts(List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 0);
  private static final ClientCounts PLAIN = new ClientCounts(0, -1, -1);

  @Test
  void takesTheNearestRankPercentile() {
    long[] oneToHundred = LongStream.rangeClosed(1, 100).toArray();
    long[] oneToThousand = LongStream.rangeClosed(1, 1000).toArray();

    assertThat(RunReport.percentile(oneToHundred, 50)).isEqualTo(50);
    assertThat(RunReport.percentile(oneToHundred, 99)).isEqualTo(99);
    assertThat(RunReport.percentile(oneToHundred, 100)).isEqualTo(100);
    assertThat(RunReport.percentile(oneToThousand, 99)).isEqualTo(990);
    assertThat(RunReport.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThat(RunReport.percentile(new long[] {1, 2}, 50)).isEqualTo(1);
    assertThat(RunReport.percentile(new long[0], 50)).isEqualTo(-1);
    assertThatThrownBy(() -> RunReport.percentile(oneToHundred, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percent must be in (0, 100]");
  }

  @Test
  void computesRatesAndPercentilesAcrossEveryUsersLog() {
    CallLog first = new CallLog();
    CallLog second = new CallLog();
    for (int i = 1; i <= 300; i++) { // 300 requests, waits of 1..300 ms, every 3rd a fallback
      CallLog log = i % 2 == 0 ? first : second;
      Answer answer = i % 3 == 0 ? Answer.FALLBACK : (i % 100 == 1 ? Answer.FAILED : Answer.FRESH);
      log.record(i * MS, i * MS, answer);
    }

    RunReport report =
        RunReport.of("run", List.of(first, second), TIMELINE, NO_CALLS, new ClientCounts(5, 6, 7));

    assertThat(report.requests()).isEqualTo(300);
    assertThat(report.fallback()).isEqualTo(100);
    assertThat(report.failed()).isEqualTo(2); // 1 and 101 (201 is a fallback)
    assertThat(report.fresh()).isEqualTo(198);
    assertThat(report.answeredRate()).isEqualTo(298 / 300.0);
    assertThat(report.share(report.fallback())).isEqualTo(1 / 3.0);
    assertThat(report.p50Nanos()).isEqualTo(150 * MS);
    assertThat(report.p99Nanos()).isEqualTo(297 * MS);
    assertThat(report.cut()).isEqualTo(5);
    assertThat(report.heldBack()).isEqualTo(6);
    assertThat(report.refused()).isEqualTo(7);
  }

  @Test
  void measuresRecoveryFromTheOutageEndToTheFirstFreshAnswer() {
    CallLog log = new CallLog();
    log.record(OUTAGE_END_NANOS - 900 * MS, 500 * MS, Answer.FAILED);
    log.record(OUTAGE_END_NANOS - 100 * MS, 50 * MS, Answer.FALLBACK);
    log.record(OUTAGE_END_NANOS + 200 * MS, 20 * MS, Answer.FALLBACK);
    log.record(OUTAGE_END_NANOS + 700 * MS, 30 * MS, Answer.FRESH);
    log.record(OUTAGE_END_NANOS + 900 * MS, 30 * MS, Answer.FRESH);
    CallLog slowRetry = new CallLog(); // started in the outage, answered fresh after it
    slowRetry.record(OUTAGE_END_NANOS - 300 * MS, 1000 * MS, Answer.FRESH);

    RunReport report = RunReport.of("run", List.of(log, slowRetry), TIMELINE, NO_CALLS, PLAIN);

    assertThat(report.recovery()).contains(Duration.ofMillis(700));
  }

  @Test
  void saysNeverWhenNoFreshAnswerFollowsTheOutage() {
    CallLog log = new CallLog();
    log.record(1 * MS, 20 * MS, Answer.FRESH);
    log.record(OUTAGE_END_NANOS + 100 * MS, 20 * MS, Answer.FAILED);

    RunReport report = RunReport.of("run", List.of(log), TIMELINE, NO_CALLS, PLAIN);

    assertThat(report.recovery()).isEmpty();
    assertThat(ReportTable.format(List.of(report), "13-21 s", Duration.ofSeconds(1)))
        .contains("never");
  }

  @Test
  void takesServiceCallsFromTheServicesOwnCounts() {
    ServiceCounts service = new ServiceCounts(List.of(100L, 80L, 60L, 7L, 50L), 30, 8, 21);

    RunReport report = RunReport.of("run", List.of(new CallLog()), TIMELINE, service, PLAIN);

    assertThat(report.serviceCalls()).isEqualTo(297);
    assertThat(report.outageCalls()).isEqualTo(7); // the outage is the fourth phase
    assertThat(report.throttled()).isEqualTo(21);
    assertThat(report.requests()).isZero();
    assertThat(report.p50Nanos()).isEqualTo(-1);
  }

  @Test
  void refusesAReportWhoseAnswersDoNotAddUp() {
    assertThatThrownBy(
            () ->
                new RunReport(
                    "run", 10, 5, 3, 1, 0, 0, 0, -1, -1, 0, 1, 1, java.util.Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fresh + fallback + failed must equal requests");
  }

  @Test
  void printsRunsSideBySideWithADashWhereAClientHasNoSuchPolicy() {
    CallLog log = new CallLog();
    log.record(0, 12 * MS, Answer.FRESH);
    log.record(0, 1500 * MS, Answer.FAILED);
    ServiceCounts service = new ServiceCounts(List.of(1L, 0L, 0L, 1L, 0L), 1, 0, 2_500);
    RunReport plain = RunReport.of("unprotected", List.of(log), TIMELINE, service, PLAIN);
    RunReport guarded =
        RunReport.of(
            "bulwark", List.of(new CallLog()), TIMELINE, NO_CALLS, new ClientCounts(3, 1234, 56));

    String table = ReportTable.format(List.of(plain, guarded), "13-21 s", Duration.ofSeconds(1));

    assertThat(table.lines())
        .anySatisfy(l -> assertThat(l).contains("unprotected").contains("bulwark"))
        .anySatisfy(l -> assertThat(l).startsWith("errors seen by users").contains("50.0%"))
        .anySatisfy(
            l -> assertThat(l).startsWith("held back by Retry-After").matches(".*\\s-\\s+1,234"))
        .anySatisfy(
            l -> assertThat(l).startsWith("refused by the open breaker").matches(".*\\s-\\s+56"))
        .anySatisfy(l -> assertThat(l).startsWith("  answered 429").contains("2,500"))
        .anySatisfy(l -> assertThat(l).startsWith("attempts cut at the 1.0 s timeout"))
        .anySatisfy(l -> assertThat(l).startsWith("wait seen by users, p99").contains("1,500 ms"))
        .anySatisfy(l -> assertThat(l).contains("while it was down (13-21 s)"));
  }
}

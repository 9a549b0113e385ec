package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RunReportTest {
  private static final long MS = 1_000_000;
  private static final long OUTAGE_END_NANOS = Duration.ofSeconds(16).toNanos();

  private final ManualClock clock = ManualClock.create();
  private final FlakyService service =
      new FlakyService(
          Timeline.standard(), clock, new ManualScheduler(clock), () -> 0.5, clock.nanoTime());

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

    RunReport report = RunReport.of("run", List.of(first, second), service, 42);

    assertThat(report.requests()).isEqualTo(300);
    assertThat(report.fallback()).isEqualTo(100);
    assertThat(report.failed()).isEqualTo(2); // 1 and 101 (201 is a fallback)
    assertThat(report.fresh()).isEqualTo(198);
    assertThat(report.answeredRate()).isEqualTo(298 / 300.0);
    assertThat(report.share(report.fallback())).isEqualTo(1 / 3.0);
    assertThat(report.p50Nanos()).isEqualTo(150 * MS);
    assertThat(report.p99Nanos()).isEqualTo(297 * MS);
    assertThat(report.rejected()).isEqualTo(42);
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

    RunReport report = RunReport.of("run", List.of(log, slowRetry), service, -1);

    assertThat(report.recovery()).contains(Duration.ofMillis(700));
  }

  @Test
  void saysNeverWhenNoFreshAnswerFollowsTheOutage() {
    CallLog log = new CallLog();
    log.record(1 * MS, 20 * MS, Answer.FRESH);
    log.record(OUTAGE_END_NANOS + 100 * MS, 20 * MS, Answer.FAILED);

    RunReport report = RunReport.of("run", List.of(log), service, -1);

    assertThat(report.recovery()).isEmpty();
    assertThat(ReportTable.format(List.of(report), "8-16 s")).contains("never");
  }

  @Test
  void takesServiceCallsFromTheServiceItself() throws Exception {
    service.fetch();
    clock.advance(Duration.ofSeconds(9));
    assertThatThrownBy(service::fetch).isInstanceOf(IOException.class);
    assertThatThrownBy(service::fetch).isInstanceOf(IOException.class);

    RunReport report = RunReport.of("run", List.of(new CallLog()), service, -1);

    assertThat(report.serviceCalls()).isEqualTo(3);
    assertThat(report.outageCalls()).isEqualTo(2);
    assertThat(report.requests()).isZero();
    assertThat(report.p50Nanos()).isEqualTo(-1);
  }

  @Test
  void printsRunsSideBySide() {
    CallLog log = new CallLog();
    log.record(0, 12 * MS, Answer.FRESH);
    log.record(0, 1500 * MS, Answer.FAILED);
    RunReport plain = RunReport.of("unprotected", List.of(log), service, -1);
    RunReport guarded = RunReport.of("bulwark", List.of(new CallLog()), service, 1234);

    String table = ReportTable.format(List.of(plain, guarded), "8-16 s");

    assertThat(table.lines())
        .anySatisfy(l -> assertThat(l).contains("unprotected").contains("bulwark"))
        .anySatisfy(l -> assertThat(l).startsWith("errors seen by users").contains("50.0%"))
        .anySatisfy(l -> assertThat(l).startsWith("refused by the breaker").contains("-", "1,234"))
        .anySatisfy(l -> assertThat(l).startsWith("wait seen by users, p99").contains("1,500 ms"))
        .anySatisfy(l -> assertThat(l).contains("while it was down (8-16 s)"));
  }
}

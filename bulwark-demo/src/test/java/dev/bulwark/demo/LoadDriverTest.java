package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoadDriverTest {
  private static final long MS = 1_000_000;

  private final ManualClock clock = ManualClock.nearOverflow();
  private final LockstepScheduler scheduler = new LockstepScheduler(clock);
  private final long origin = clock.nanoTime();

  @Test
  void sendsOneRequestPerPacePerUserStaggeredAcrossThePace() throws Exception {
    LoadDriver driver = new LoadDriver(clock, scheduler, 2, Duration.ofMillis(100));

    List<CallLog> logs = driver.run(sku -> Answer.FRESH, origin, Duration.ofSeconds(1), scheduler);

    assertThat(logs).hasSize(2);
    assertThat(starts(logs.get(0)))
        .containsExactly(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L);
    assertThat(starts(logs.get(1)))
        .containsExactly(50L, 150L, 250L, 350L, 450L, 550L, 650L, 750L, 850L, 950L);
  }

  @Test
  void sendsTheNextRequestAtOnceAfterASlowAnswerWithoutCatchingUp() throws Exception {
    LoadDriver driver = new LoadDriver(clock, scheduler, 1, Duration.ofMillis(100));
    InventoryClient slow =
        sku -> {
          try {
            scheduler.sleep(250 * MS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Answer.FAILED;
        };

    CallLog log = driver.run(slow, origin, Duration.ofSeconds(1), scheduler).get(0);

    assertThat(starts(log)).containsExactly(0L, 250L, 500L, 750L);
    assertThat(IntStream.range(0, log.size()).mapToLong(log::latencyNanos)).containsOnly(250 * MS);
  }

  @Test
  void runsUsersOfSeveralRunsInTheSameVirtualTime() throws Exception {
    LoadDriver driver = new LoadDriver(clock, scheduler, 3, Duration.ofMillis(100));
    LoadDriver.Run first = driver.prepare(sku -> Answer.FRESH, origin, Duration.ofSeconds(2));
    LoadDriver.Run second = driver.prepare(sku -> Answer.FALLBACK, origin, Duration.ofSeconds(2));
    List<Runnable> users = new ArrayList<>(first.users());
    users.addAll(second.users());

    scheduler.runAll(users);

    assertThat(first.logs()).allSatisfy(log -> assertThat(log.size()).isEqualTo(20));
    assertThat(second.logs())
        .allSatisfy(log -> assertThat(log.answer(19)).isEqualTo(Answer.FALLBACK));
    assertThat(second.logs().get(2).startNanos(19))
        .isEqualTo(1_966_666_666L); // last tick: 2/3 of a pace in
  }

  @Test
  void givesEachUserOneItemSharedWithEveryTenthUser() throws Exception {
    LoadDriver driver = new LoadDriver(clock, scheduler, 12, Duration.ofMillis(100));
    Set<String> asked = ConcurrentHashMap.newKeySet();
    InventoryClient client =
        sku -> {
          asked.add(Thread.currentThread().getName() + " " + sku);
          return Answer.FRESH;
        };

    driver.run(client, origin, Duration.ofSeconds(1), scheduler);

    assertThat(asked).hasSize(12); // each user always asks about the same item
    assertThat(LoadDriver.sku(0)).isEqualTo("sku-0").isEqualTo(LoadDriver.sku(10));
    assertThat(LoadDriver.sku(11)).isEqualTo("sku-1");
  }

  private static List<Long> starts(CallLog log) {
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      starts.add(log.startNanos(i) / MS);
    }
    return starts;
  }
}

package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.retry.Retry;
import dev.bulwark.test.ManualClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilienceConcurrencyTest {
  private static final int THREADS = 8;
  private static final int NAMES = 500;

  @Test
  void threadsRacingForTheSameNamesGetOneInstancePerNameAndOneEventEach() throws Exception {
    Resilience resilience = Resilience.builder().clock(ManualClock.create()).build();
    AtomicInteger added = new AtomicInteger();
    resilience.events().subscribe(PolicyAdded.class, e -> added.incrementAndGet());
    List<Map<String, CircuitBreaker>> seen = race(resilience::circuitBreaker);

    for (int n = 0; n < NAMES; n++) {
      Set<CircuitBreaker> instances = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Map<String, CircuitBreaker> byThread : seen) {
        instances.add(byThread.get("n" + n));
      }
      assertThat(instances).hasSize(1);
      assertThat(instances.iterator().next())
          .isSameAs(resilience.find(CircuitBreaker.KIND, "n" + n).orElseThrow());
    }
    assertThat(added).hasValue(NAMES);
    assertThat(resilience.instances(CircuitBreaker.KIND)).hasSize(NAMES);
  }

  @Test
  void threadsRacingForPipelinesGetOnePipelinePerName() throws Exception {
    Resilience resilience = Resilience.builder().clock(ManualClock.create()).build();
    List<Map<String, Pipeline>> seen = race(resilience::pipeline);

    for (int n = 0; n < NAMES; n++) {
      Set<Pipeline> pipelines = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Map<String, Pipeline> byThread : seen) {
        pipelines.add(byThread.get("n" + n));
      }
      assertThat(pipelines).hasSize(1);
    }
    assertThat(resilience.instances(Retry.KIND)).hasSize(NAMES);
  }

  @Test
  void threadsRacingPastTheBoundNeverHoldMoreThanIt() throws Exception {
    Resilience resilience =
        Resilience.builder().clock(ManualClock.create()).maxInstances(100).build();
    AtomicInteger live = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    resilience
        .events()
        .subscribe(
            e -> {
              if (e instanceof PolicyAdded) {
                most.accumulateAndGet(live.incrementAndGet(), Math::max);
              } else if (e instanceof PolicyEvicted) {
                live.decrementAndGet();
              }
            });

    race(resilience::circuitBreaker);

    // an eviction's event may be published after the slot it freed is taken: allow THREADS over
    assertThat(most.get()).isLessThanOrEqualTo(100 + THREADS);
    assertThat(resilience.instances(CircuitBreaker.KIND)).hasSizeLessThanOrEqualTo(100);
    assertThat(live.get()).isEqualTo(resilience.instances(CircuitBreaker.KIND).size());
  }

  /** Every thread looks up every name, each in its own order, starting together. */
  private static <T> List<Map<String, T>> race(java.util.function.Function<String, T> lookup)
      throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch ready = new CountDownLatch(THREADS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Map<String, T>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<String> names = new ArrayList<>();
        for (int n = 0; n < NAMES; n++) {
          names.add("n" + n);
        }
        Collections.shuffle(names, new Random(t));
        futures.add(
            executor.submit(
                () -> {
                  Map<String, T> got = new ConcurrentHashMap<>();
                  ready.countDown();
                  assertThat(go.await(30, TimeUnit.SECONDS)).isTrue();
                  for (String name : names) {
                    got.put(name, lookup.apply(name));
                  }
                  return got;
                }));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Map<String, T>> results = new ArrayList<>();
      for (Future<Map<String, T>> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }
}

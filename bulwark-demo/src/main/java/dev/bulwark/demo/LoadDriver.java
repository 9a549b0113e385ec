package dev.bulwark.demo;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a client with a steady load: {@code users} users, each sending one request every {@code
 * pace} from the start of the run until its end, each always about the same item; a user whose
 * request took longer than the pace sends the next one at once (it does not catch up on the ticks
 * it missed). Users start staggered across the first pace so that they do not all arrive at the
 * same instant.
 *
 * <p>Time comes from the injected clock and waiting goes through the injected scheduler; how the
 * users run (threads, virtual threads, or one at a time in a test) is the {@link Launcher}'s
 * business.
 *
 * <p>Thread-safe: one driver can run several clients at once.
 */
public final class LoadDriver {
  /** How many distinct items the users ask about. */
  static final int ITEMS = 10;

  private final Clock clock;
  private final Scheduler scheduler;
  private final int users;
  private final long paceNanos;

  /** A driver of {@code users} users, each sending a request every {@code pace}. */
  public LoadDriver(Clock clock, Scheduler scheduler, int users, Duration pace) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    if (users < 1) {
      throw new IllegalArgumentException("users must be at least 1, was " + users);
    }
    if (pace.isNegative() || pace.isZero()) {
      throw new IllegalArgumentException("pace must be positive, was " + pace);
    }
    this.users = users;
    this.paceNanos = pace.toNanos();
  }

  /** How the users of a run are started and waited for. */
  @FunctionalInterface
  public interface Launcher {
    /** Runs every user to completion and returns when all are done. */
    void runAll(List<Runnable> users) throws InterruptedException;

    /** One thread per user from {@code factory}, joined at the end. */
    static Launcher threads(ThreadFactory factory) {
      Objects.requireNonNull(factory, "factory");
      return users -> {
        List<Thread> threads = new ArrayList<>(users.size());
        for (Runnable user : users) {
          Thread thread = factory.newThread(user);
          threads.add(thread);
          thread.start();
        }
        for (Thread thread : threads) {
          thread.join();
        }
      };
    }
  }

  /**
   * Prepares the users that run {@code client} under this load from {@code originNanos} (on the
   * clock) for {@code length}; hand {@link Run#users()} to a {@link Launcher}, alone or with the
   * users of other runs, then read {@link Run#logs()}.
   */
  public Run prepare(InventoryClient client, long originNanos, Duration length) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(length, "length");
    return new Run(client, originNanos, originNanos + length.toNanos());
  }

  /**
   * Runs {@code client} under this load from {@code originNanos} for {@code length}, and returns
   * each user's log.
   *
   * @throws IllegalStateException if a user failed with an unexpected exception
   * @throws InterruptedException if interrupted while waiting for the users
   */
  public List<CallLog> run(
      InventoryClient client, long originNanos, Duration length, Launcher launcher)
      throws InterruptedException {
    Run run = prepare(client, originNanos, length);
    launcher.runAll(run.users());
    return run.logs();
  }

  /** The users of one run and their logs. Thread-safe once the users are done. */
  public final class Run {
    private final List<CallLog> logs = new ArrayList<>(users);
    private final List<Runnable> tasks = new ArrayList<>(users);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Run(InventoryClient client, long originNanos, long endNanos) {
      for (int i = 0; i < users; i++) {
        int user = i;
        CallLog log = new CallLog();
        logs.add(log);
        long firstNanos = originNanos + paceNanos * i / users;
        tasks.add(
            () -> {
              try {
                user(client, sku(user), log, originNanos, firstNanos, endNanos);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
              }
            });
      }
    }

    /** One task per user; each runs its user's requests to the end of the run. */
    public List<Runnable> users() {
      return List.copyOf(tasks);
    }

    /**
     * Each user's log; read once the users are done.
     *
     * @throws IllegalStateException if a user failed with an unexpected exception
     */
    public List<CallLog> logs() {
      if (failure.get() != null) {
        throw new IllegalStateException("a user failed", failure.get());
      }
      return List.copyOf(logs);
    }
  }

  /** The item user {@code user} asks about: one of {@value #ITEMS}, so users share items. */
  static String sku(int user) {
    return "sku-" + (user % ITEMS);
  }

  private void user(
      InventoryClient client,
      String sku,
      CallLog log,
      long originNanos,
      long firstNanos,
      long endNanos)
      throws InterruptedException {
    long nextNanos = firstNanos;
    while (true) {
      long wait = nextNanos - clock.nanoTime();
      if (wait > 0) {
        scheduler.sleep(wait);
      }
      long start = clock.nanoTime();
      if (start - endNanos >= 0) {
        return;
      }
      Answer answer = client.fetch(sku);
      long end = clock.nanoTime();
      log.record(start - originNanos, end - start, answer);
      nextNanos += paceNanos;
      if (nextNanos - end < 0) {
        nextNanos = end; // late: go again at once, without catching up on missed ticks
      }
    }
  }
}

package dev.bulwark.test;

import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A scheduler driven by a {@link ManualClock}: scheduled tasks run when the test advances time past
 * their due time, on the test's thread; {@link #sleep} does not block but moves the clock forward
 * by the delay (running whatever falls due) and remembers the delay for assertions.
 *
 * {@snippet :
 * ManualClock clock = ManualClock.create();
 * ManualScheduler scheduler = new ManualScheduler(clock);
 * CompletionStage<String> result = retry.callAsync(() -> service.fetch());
 * scheduler.advance(Duration.ofSeconds(1)); // the retry's delay passes; attempt 2 runs now
 * }
 *
 * <p>Its {@link #completionExecutor() completion executor} is deterministic too: work a scheduled
 * task hands to it (completing a caller's future, starting a delayed attempt) runs on the same
 * thread right after that task returns, before the next task, as a real scheduler's pool would run
 * it after its timer task; work handed to it outside a task runs at once on the calling thread.
 *
 * <p>Thread-safe, though tasks only run on threads that call {@link #advance}, {@link #runDue},
 * {@link #runAll} or {@link #sleep}.
 */
public final class ManualScheduler implements Scheduler {
  private final ManualClock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger ran = new AtomicInteger();
  private final AtomicInteger completionsRun = new AtomicInteger();

  @SuppressWarnings("ThreadLocalUsage") // per scheduler: the tasks this scheduler is running
  private final ThreadLocal<ArrayDeque<Runnable>> runningTask = new ThreadLocal<>();

  private final Executor completions = this::complete;

  /** A scheduler whose time is {@code clock}'s. */
  public ManualScheduler(ManualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The clock this scheduler advances. */
  public ManualClock clock() {
    return clock;
  }

  @Override
  public Future<?> schedule(Runnable task, long delayNanos) {
    Objects.requireNonNull(task, "task");
    Task t = new Task(task, clock.nanoTime() + Math.max(0, delayNanos), sequence.getAndIncrement());
    lock.lock();
    try {
      queue.add(t);
    } finally {
      lock.unlock();
    }
    return t;
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Duration delay = Duration.ofNanos(Math.max(0, delayNanos));
    sleeps.add(delay);
    advanceTo(clock.nanoTime() + delay.toNanos(), true);
    if (Thread.interrupted()) { // a task that ran during the sleep interrupted this thread
      throw new InterruptedException();
    }
  }

  /**
   * Runs what scheduled tasks decide: right after the task that hands it over, on the thread that
   * runs tasks; at once on the calling thread otherwise.
   */
  @Override
  public Executor completionExecutor() {
    return completions;
  }

  /** How many pieces of work the {@link #completionExecutor()} has run. */
  public int completionsRun() {
    return completionsRun.get();
  }

  private void complete(Runnable work) {
    Objects.requireNonNull(work, "work");
    ArrayDeque<Runnable> afterTask = runningTask.get();
    if (afterTask != null) {
      afterTask.add(work); // runs once the task that handed it over has returned
    } else {
      completionsRun.incrementAndGet();
      work.run();
    }
  }

  /** Runs {@code task}, then the work it handed to the completion executor, in order. */
  private void runTask(Task task) {
    ArrayDeque<Runnable> afterTask = new ArrayDeque<>();
    runningTask.set(afterTask);
    try {
      task.run();
    } finally {
      runningTask.remove();
    }
    Runnable work;
    while ((work = afterTask.poll()) != null) {
      completionsRun.incrementAndGet();
      work.run();
    }
  }

  /**
   * Moves time forward by {@code duration}, running each task as its due time is reached, in due
   * order (tasks scheduled meanwhile run too if they fall due).
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    advanceTo(clock.nanoTime() + duration.toNanos(), false);
  }

  /**
   * Runs due tasks up to {@code target}; a sleeping thread stops early, as a real sleep would, when
   * a task it ran interrupted it (time then stands where that task ran).
   */
  private void advanceTo(long target, boolean stopOnInterrupt) {
    while (true) {
      Task next = pollDueBy(target);
      if (next == null) {
        break;
      }
      long step = next.dueNanos - clock.nanoTime();
      if (step > 0) {
        clock.advanceNanos(step);
      }
      runTask(next);
      if (stopOnInterrupt && Thread.currentThread().isInterrupted()) {
        return;
      }
    }
    long rest = target - clock.nanoTime();
    if (rest > 0) {
      clock.advanceNanos(rest);
    }
  }

  /** Runs every task already due, without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Runs tasks and moves time until no task is pending; returns how far time moved. */
  public Duration runAll() {
    long start = clock.nanoTime();
    while (true) {
      Task next;
      lock.lock();
      try {
        next = queue.poll();
      } finally {
        lock.unlock();
      }
      if (next == null) {
        return Duration.ofNanos(clock.nanoTime() - start);
      }
      long step = next.dueNanos - clock.nanoTime();
      if (step > 0) {
        clock.advanceNanos(step);
      }
      runTask(next);
    }
  }

  /** How many tasks are scheduled and not yet run or cancelled. */
  public int pendingTasks() {
    lock.lock();
    try {
      return (int) queue.stream().filter(t -> !t.isCancelled()).count();
    } finally {
      lock.unlock();
    }
  }

  /**
   * How long from now each pending task is due, soonest first. A test whose policies are driven by
   * another thread (an HTTP client's, say) waits until the delay it expects is pending, then
   * advances exactly that far.
   */
  public List<Duration> pendingDelays() {
    long now = clock.nanoTime();
    lock.lock();
    try {
      return queue.stream()
          .filter(t -> !t.isCancelled())
          .sorted()
          .map(t -> Duration.ofNanos(Math.max(0, t.dueNanos - now)))
          .collect(Collectors.toUnmodifiableList());
    } finally {
      lock.unlock();
    }
  }

  /** How many scheduled tasks have run. */
  public int tasksRun() {
    return ran.get();
  }

  /** Every delay passed to {@link #sleep}, in order. */
  public List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  private @Nullable Task pollDueBy(long targetNanos) {
    lock.lock();
    try {
      while (true) {
        Task head = queue.peek();
        if (head == null || head.dueNanos - targetNanos > 0) {
          return null;
        }
        queue.poll();
        if (!head.isCancelled()) {
          return head;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("ComparableType") // Delayed itself extends Comparable<Delayed>
  private final class Task implements Future<Object>, Delayed, Comparable<Delayed> {
    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int CANCELLED = 2;

    final Runnable runnable;
    final long dueNanos;
    final long seq;
    final AtomicInteger state = new AtomicInteger(PENDING);

    Task(Runnable runnable, long dueNanos, long seq) {
      this.runnable = runnable;
      this.dueNanos = dueNanos;
      this.seq = seq;
    }

    void run() {
      if (state.compareAndSet(PENDING, DONE)) {
        ran.incrementAndGet();
        runnable.run();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return state.compareAndSet(PENDING, CANCELLED);
    }

    @Override
    public boolean isCancelled() {
      return state.get() == CANCELLED;
    }

    @Override
    public boolean isDone() {
      return state.get() != PENDING;
    }

    @Override
    public @Nullable Object get() throws ExecutionException {
      return null;
    }

    @Override
    public @Nullable Object get(long timeout, TimeUnit unit) {
      return null;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - clock.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task other = (Task) o;
      long d = dueNanos - other.dueNanos; // by subtraction: due times may straddle overflow
      if (d != 0) {
        return d < 0 ? -1 : 1;
      }
      return Long.compare(seq, other.seq);
    }
  }
}

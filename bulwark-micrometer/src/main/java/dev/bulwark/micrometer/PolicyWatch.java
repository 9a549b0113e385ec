package dev.bulwark.micrometer;

import dev.bulwark.Resilience;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.policy.Policy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Calls {@code attach} for every policy a registry holds now or creates later, and the detacher it
 * returned when the policy is evicted or the watch closed. Attaching and detaching take a lock no
 * call takes (they run on the creating or evicting thread, rarely). Thread-safe.
 */
final class PolicyWatch implements AutoCloseable {
  private final Resilience resilience;
  private final Function<Policy, @Nullable Runnable> attach;
  private final Map<Policy, Runnable> attached = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final EventListener lifecycle = this::onLifecycle;
  private boolean closed;

  /** Starts watching; {@code attach} returns null for a policy it leaves alone. */
  PolicyWatch(Resilience resilience, Function<Policy, @Nullable Runnable> attach) {
    this.resilience = resilience;
    this.attach = attach;
    resilience
        .events()
        .subscribe(
            lifecycle,
            Set.<Class<? extends PolicyEvent>>of(PolicyAdded.class, PolicyEvicted.class));
    lock.lock();
    try {
      for (var kind : resilience.kinds()) {
        for (Policy policy : resilience.instances(kind).values()) {
          add(policy);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void onLifecycle(PolicyEvent event) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (event instanceof PolicyAdded) {
        add(((PolicyAdded) event).policy());
      } else if (event instanceof PolicyEvicted) {
        Runnable detach = attached.remove(((PolicyEvicted) event).policy());
        if (detach != null) {
          detach.run();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void add(Policy policy) {
    if (attached.containsKey(policy)) {
      return;
    }
    Runnable detach = attach.apply(policy);
    if (detach != null) {
      attached.put(policy, detach);
    }
  }

  /** Stops watching and detaches from every policy. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      resilience.events().unsubscribe(lifecycle);
      for (Policy policy : List.copyOf(attached.keySet())) {
        Runnable detach = attached.remove(policy);
        if (detach != null) {
          detach.run();
        }
      }
    } finally {
      lock.unlock();
    }
  }
}

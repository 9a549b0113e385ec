package dev.bulwark.hedge;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared pool that runs synchronous hedged attempts unless a config names its own. */
final class HedgeThreads {
  private HedgeThreads() {}

  /** The pool, started on first use: cached daemon threads named {@code bulwark-hedge-N}. */
  static ExecutorService shared() {
    return Holder.POOL;
  }

  private static final class Holder {
    static final ExecutorService POOL = newPool();

    private static ExecutorService newPool() {
      AtomicInteger count = new AtomicInteger();
      return Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "bulwark-hedge-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
    }
  }
}

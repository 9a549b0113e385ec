package dev.bulwark.demo;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Picks the threads the users run on: virtual threads when the JVM has them (JDK 21+, found by
 * reflection since the demo compiles for Java 17), platform daemon threads otherwise.
 */
final class Threads {
  private Threads() {}

  /** A factory of virtual threads if this JVM offers them, else of platform daemon threads. */
  static ThreadFactory forUsers() {
    ThreadFactory virtual = virtualOrNull();
    return virtual != null ? virtual : platform();
  }

  /** "virtual threads" or "platform threads", for the printed setup. */
  static String kind(ThreadFactory factory) {
    Thread probe = factory.newThread(() -> {});
    return isVirtual(probe) ? "virtual threads" : "platform threads";
  }

  private static @Nullable ThreadFactory virtualOrNull() {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> builderType = Class.forName("java.lang.Thread$Builder");
      builder =
          builderType.getMethod("name", String.class, long.class).invoke(builder, "user-", 0L);
      return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // JDK 17-20, or virtual threads still in preview
    }
  }

  private static boolean isVirtual(Thread thread) {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private static ThreadFactory platform() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "user-" + count.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    };
  }
}

package dev.bulwark.stress;

import java.io.File;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The process's live platform threads (by name) and open file descriptors ({@code /proc/self/fd})
 * at one moment, to tell whether a run leaked either.
 *
 * <p>Threads of pools that the JVM grows and shrinks by itself on idle timeouts are listed but not
 * counted as leaks: the common fork-join pool, virtual-thread carriers and unparkers, JFR's and the
 * attach mechanism's threads.
 *
 * <p>Immutable; thread-safe.
 */
record Resources(Set<String> threads, int fileDescriptors) {

  private static final List<Pattern> JVM_MANAGED =
      List.of(
          Pattern.compile("ForkJoinPool.*"),
          Pattern.compile("VirtualThread-unparker|VirtualThread-unblocker"),
          Pattern.compile("Read-Poller|Write-Poller|.*-Poller"),
          Pattern.compile("JFR.*"),
          Pattern.compile("Attach Listener"),
          Pattern.compile("process reaper"),
          Pattern.compile("Common-Cleaner"),
          Pattern.compile("JVMCI.*|C[12] CompilerThread.*"));

  /** Now. */
  static Resources now() {
    Set<String> names = new TreeSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive()) {
        names.add(thread.getName() + "#" + thread.getId());
      }
    }
    String[] fds = new File("/proc/self/fd").list();
    return new Resources(names, fds == null ? -1 : fds.length);
  }

  /** Threads alive now that were not in {@code baseline}, leaving out JVM-managed pools. */
  Set<String> newThreadsSince(Resources baseline) {
    Set<String> added = new TreeSet<>(threads);
    added.removeAll(baseline.threads);
    added.removeIf(name -> isJvmManaged(name.substring(0, name.lastIndexOf('#'))));
    return added;
  }

  static boolean isJvmManaged(String name) {
    return JVM_MANAGED.stream().anyMatch(p -> p.matcher(name).matches());
  }

  /** True if nothing leaked since {@code baseline}. */
  boolean noGrowthSince(Resources baseline) {
    return newThreadsSince(baseline).isEmpty()
        && (fileDescriptors < 0 || fileDescriptors <= baseline.fileDescriptors);
  }
}

package dev.bulwark.stress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of {@code jdk.VirtualThreadPinned} events (threshold zero, with stack traces)
 * while the soak runs on virtual threads. An event whose stack holds a Bulwark frame outside the
 * soak itself means a policy pinned its carrier thread: in a bulkhead wait, a timeout, a retry's
 * sleep. Other pinning (in the JDK, or loading a class on its first use) is listed but not counted
 * against Bulwark.
 *
 * <p>Not thread-safe: started and stopped by the main thread.
 */
final class PinnedWatch implements AutoCloseable {
  static final String EVENT = "jdk.VirtualThreadPinned";

  private final Recording recording = new Recording();
  private final Path file;
  private int total;
  private final Map<String, Integer> bulwarkSites = new TreeMap<>();
  private final Map<String, Integer> otherSites = new TreeMap<>();

  PinnedWatch() throws IOException {
    file = Files.createTempFile("soak-pinned", ".jfr");
    recording.enable(EVENT).withThreshold(Duration.ZERO).withStackTrace();
    recording.setToDisk(true);
    recording.start();
  }

  /** Stops recording and reads the events. */
  void stop() throws IOException {
    recording.stop();
    recording.dump(file);
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    for (RecordedEvent event : events) {
      if (!event.getEventType().getName().equals(EVENT)) {
        continue;
      }
      total++;
      // Java 24+ says why it pinned ("Native or VM frame on stack", "Monitor held", ...).
      String reason = event.hasField("pinnedReason") ? event.getString("pinnedReason") : null;
      String site = "(no stack trace)";
      boolean bulwark = false;
      if (event.getStackTrace() != null && !event.getStackTrace().getFrames().isEmpty()) {
        List<RecordedFrame> frames = event.getStackTrace().getFrames();
        StringBuilder path = new StringBuilder();
        boolean classLoading = false;
        // The JDK pins briefly, on purpose, inside its own thread code (a virtual thread's
        // interrupt lock): not a Bulwark frame holding a monitor or a native frame.
        String topType = frames.get(0).getMethod().getType().getName();
        boolean jdkThreadInternals =
            topType.equals("java.lang.VirtualThread") || topType.equals("java.lang.Thread");
        for (int i = 0; i < frames.size(); i++) {
          RecordedFrame frame = frames.get(i);
          if (i == 12) {
            path.append(" < ...");
            break;
          }
          String type = frame.getMethod().getType().getName();
          String method = frame.getMethod().getName();
          classLoading |= type.contains("ClassLoader") || method.equals("<clinit>");
          if (path.length() > 0) {
            path.append(" < ");
          }
          path.append(simple(type)).append('.').append(method);
          if (type.startsWith("dev.bulwark.") && !type.startsWith("dev.bulwark.stress.")) {
            path.append(':').append(frame.getLineNumber());
            // Loading a class on first use pins in every JDK; it is not Bulwark's doing.
            bulwark = !classLoading && !jdkThreadInternals;
            break;
          }
        }
        site =
            (reason == null ? "" : "[" + reason + "] ")
                + (classLoading
                    ? "class loading: "
                    : jdkThreadInternals ? "JDK thread internals: " : "")
                + path;
      }
      (bulwark ? bulwarkSites : otherSites).merge(site, 1, Integer::sum);
    }
  }

  private static String simple(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

  int total() {
    return total;
  }

  /** Pinned events with a Bulwark frame, by the innermost such frame. */
  Map<String, Integer> bulwarkSites() {
    return bulwarkSites;
  }

  Map<String, Integer> otherSites() {
    return otherSites;
  }

  @Override
  public void close() throws IOException {
    recording.close();
    Files.deleteIfExists(file);
  }
}

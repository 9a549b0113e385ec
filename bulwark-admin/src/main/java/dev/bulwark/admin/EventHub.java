package dev.bulwark.admin;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Hands events to the clients of {@code GET /events}. Publishing runs on the thread that made the
 * event (often a caller's, inside a policy), so it only offers a ready line to each client's
 * bounded queue: when a client cannot keep up, its oldest lines are not waited for, the new one is
 * dropped and counted, and the client is told how many it missed.
 *
 * <p>Thread-safe.
 */
final class EventHub {
  static final int QUEUE = 1024;
  private static final String CLOSE = "";

  private final CopyOnWriteArraySet<Client> clients = new CopyOnWriteArraySet<>();

  /** True if some client listens: build nothing otherwise. */
  boolean hasClients() {
    return !clients.isEmpty();
  }

  /** Offers one event, {@code type} with JSON {@code data}, to every client. Never blocks. */
  void publish(String type, String data) {
    if (clients.isEmpty()) {
      return;
    }
    String frame = "event: " + type + "\ndata: " + data + "\n\n";
    for (Client client : clients) {
      if (!client.queue.offer(frame)) {
        client.dropped.incrementAndGet();
      }
    }
  }

  /** A new client, listening from now on. */
  Client join() {
    Client client = new Client();
    clients.add(client);
    return client;
  }

  /** Tells every client to finish. */
  void closeAll() {
    for (Client client : clients) {
      client.close();
    }
  }

  /** How many clients listen now. */
  int clients() {
    return clients.size();
  }

  /** One listening client: its queue and what it missed. Thread-safe. */
  final class Client {
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();

    /**
     * The next frame, waiting at most {@code millis}: an empty string when closed, null when
     * nothing came in time.
     */
    @Nullable String next(long millis) throws InterruptedException {
      long missed = dropped.getAndSet(0);
      if (missed > 0) {
        return "event: dropped\ndata: {\"missed\":" + missed + "}\n\n";
      }
      return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** A frame already waiting, or null. */
    @Nullable String poll() {
      return queue.poll();
    }

    /** Stops listening; the writer sees {@link #isClose} soon. */
    void close() {
      clients.remove(this);
      queue.clear();
      queue.offer(CLOSE);
    }

    /** Stops listening without telling the writer (it has gone). */
    void leave() {
      clients.remove(this);
    }

    boolean isClose(String frame) {
      return frame.isEmpty();
    }
  }
}

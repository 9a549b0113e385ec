package dev.bulwark.test.http;

import dev.bulwark.test.internal.Check;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A latch a test opens to release the requests a {@link Reply#stall(Gate)} holds, and that tells
 * the test what happened while they were held.
 *
 * <p>One gate may hold many requests (for example every attempt of a hedged call). Once open it
 * stays open: later requests pass without being held and are not counted as stalled.
 *
 * {@snippet :
 * Gate gate = Gate.closed();
 * server.enqueue(Reply.ok("slow").stall(gate));
 * CompletableFuture<HttpResponse<String>> call = client.sendAsync(request, ofString());
 * assertThat(gate.awaitStalled(Duration.ofSeconds(5))).isTrue();
 * call.cancel(true);
 * assertThat(gate.awaitClientGone(Duration.ofSeconds(5))).isTrue(); // the client gave up for real
 * }
 *
 * <p>Thread-safe.
 */
public final class Gate {
  private final CountDownLatch opened = new CountDownLatch(1);
  private final CountDownLatch firstStalled = new CountDownLatch(1);
  private final CountDownLatch firstClientGone = new CountDownLatch(1);
  private final AtomicInteger stalled = new AtomicInteger();
  private final AtomicInteger clientsGone = new AtomicInteger();

  private Gate() {}

  /** A new gate that holds every request until {@link #open()}. */
  public static Gate closed() {
    return new Gate();
  }

  /** Releases every request held now and lets later ones pass; opening twice does nothing more. */
  public void open() {
    opened.countDown();
  }

  /** Whether {@link #open()} has been called. */
  public boolean isOpen() {
    return opened.getCount() == 0;
  }

  /**
   * Waits until a request is being held (or was held) by this gate.
   *
   * @return true once a request has stalled here; false if none did within {@code timeout}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitStalled(Duration timeout) throws InterruptedException {
    return firstStalled.await(
        Check.nonNegative("timeout", timeout).toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Waits until the client of a held request closes or resets its connection, which is what the JDK
   * client does when a request is cancelled or times out.
   *
   * @return true once a client went away while held here; false if none did within {@code timeout}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitClientGone(Duration timeout) throws InterruptedException {
    return firstClientGone.await(
        Check.nonNegative("timeout", timeout).toNanos(), TimeUnit.NANOSECONDS);
  }

  /** How many requests this gate has held so far (those still held and those released). */
  public int stalledCount() {
    return stalled.get();
  }

  /** How many held requests lost their client while held. */
  public int clientGoneCount() {
    return clientsGone.get();
  }

  @Override
  public String toString() {
    return "Gate["
        + (isOpen() ? "open" : "closed")
        + ", stalled "
        + stalled.get()
        + ", gone "
        + clientsGone.get()
        + ']';
  }

  void stalled() {
    stalled.incrementAndGet();
    firstStalled.countDown();
  }

  void clientGone() {
    clientsGone.incrementAndGet();
    firstClientGone.countDown();
  }
}

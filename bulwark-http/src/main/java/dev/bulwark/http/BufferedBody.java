package dev.bulwark.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/*
 * Reads an error response's body, keeping at most maxBytes of it, and reading at most drainBytes
 * in all. Reading a short body to its end is what gives the connection back to the JDK client's
 * pool: a body left unread would hold it until the server closed it, so a thousand retries would
 * open a thousand connections. A body longer than drainBytes is not worth its connection: once
 * that much is read the subscription is cancelled, which makes the JDK client close the connection
 * instead of pooling it, and the body completes with what was kept. So a 503 with a gigabyte costs
 * a new connection, not a gigabyte per attempt. What is kept is replayed into the caller's own
 * BodyHandler if this response turns out to be the last one.
 *
 * The JDK client calls onSubscribe, onNext and the terminal methods one at a time (the Flow
 * contract), so the counters need no synchronization.
 */
final class BufferedBody implements BodySubscriber<Object> {
  private final int maxBytes;
  private final long drainBytes;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CompletableFuture<Object> body = new CompletableFuture<>();
  private Flow.@Nullable Subscription subscription;
  private long dropped;
  private long read;

  BufferedBody(int maxBytes, long drainBytes) {
    this.maxBytes = maxBytes;
    this.drainBytes = drainBytes;
  }

  @Override
  public CompletionStage<Object> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = Objects.requireNonNull(subscription, "subscription");
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return; // abandoned: what still arrives was on its way before the cancel
    }
    for (ByteBuffer buffer : buffers) {
      int room = maxBytes - kept.size();
      int take = Math.min(room, buffer.remaining());
      if (take > 0) {
        byte[] chunk = new byte[take];
        buffer.get(chunk);
        kept.write(chunk, 0, take);
        read += take;
      }
      dropped += buffer.remaining();
      read += buffer.remaining();
      buffer.position(buffer.limit());
    }
    if (read > drainBytes) {
      // the JDK client closes the connection rather than pool it; onNext comes after onSubscribe
      Objects.requireNonNull(subscription).cancel();
      body.complete(new Kept(kept.toByteArray(), dropped, true));
    }
  }

  @Override
  public void onError(Throwable failure) {
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    body.complete(new Kept(kept.toByteArray(), dropped, false));
  }

  /**
   * The bytes kept, how many were read past {@code maxBytes} and dropped, and whether the body was
   * abandoned unread past the drain limit (its connection then closed).
   */
  record Kept(byte[] bytes, long dropped, boolean abandoned) {}
}

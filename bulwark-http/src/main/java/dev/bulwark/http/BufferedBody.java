package dev.bulwark.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/*
 * Reads an error response's body to its end, keeping at most maxBytes of it. Reading to the end is
 * what gives the connection back to the JDK client's pool: a body left unread would hold it until
 * the server closed it, so a thousand retries would open a thousand connections. What is kept is
 * replayed into the caller's own BodyHandler if this response turns out to be the last one.
 */
final class BufferedBody implements BodySubscriber<Object> {
  private final int maxBytes;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CompletableFuture<Object> body = new CompletableFuture<>();
  private long dropped;

  BufferedBody(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public CompletionStage<Object> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    Objects.requireNonNull(subscription, "subscription").request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      int room = maxBytes - kept.size();
      int take = Math.min(room, buffer.remaining());
      if (take > 0) {
        byte[] chunk = new byte[take];
        buffer.get(chunk);
        kept.write(chunk, 0, take);
      }
      dropped += buffer.remaining();
      buffer.position(buffer.limit());
    }
  }

  @Override
  public void onError(Throwable failure) {
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    body.complete(new Kept(kept.toByteArray(), dropped));
  }

  /** The bytes kept, and how many were read past {@code maxBytes} and dropped. */
  record Kept(byte[] bytes, long dropped) {}
}

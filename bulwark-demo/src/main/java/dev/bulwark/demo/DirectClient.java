package dev.bulwark.demo;

import java.util.Objects;

/**
 * The unprotected client: every request goes straight to the service, and a failure reaches the
 * user as an error.
 *
 * <p>Thread-safe.
 */
public final class DirectClient implements InventoryClient {
  private final FlakyService service;

  /** A client that calls {@code service} directly. */
  public DirectClient(FlakyService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  @Override
  public Answer fetch() {
    try {
      service.fetch();
      return Answer.FRESH;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.FAILED;
    } catch (Exception e) {
      return Answer.FAILED;
    }
  }
}

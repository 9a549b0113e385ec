package dev.bulwark.demo;

/**
 * How a user asks the inventory service for the stock of one item: directly, or through Bulwark.
 *
 * <p>Implementations must be thread-safe: every user shares one client.
 */
public interface InventoryClient {

  /** Asks for the stock of {@code sku} once and says what the user got; never throws. */
  Answer fetch(String sku);
}

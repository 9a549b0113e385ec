package dev.bulwark.demo;

/**
 * How a user asks the inventory service for stock: directly, or through Bulwark.
 *
 * <p>Implementations must be thread-safe: every user shares one client.
 */
public interface InventoryClient {

  /** Asks for the stock level once and says what the user got; never throws. */
  Answer fetch();
}

package dev.bulwark.http.internal;

import dev.bulwark.http.HttpHealthCheck;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import java.util.List;

/**
 * Adds {@link HttpHealthCheck#KIND} to every registry built while {@code bulwark-http} is on the
 * class or module path. Not API.
 */
public final class HttpKinds implements PolicyKindProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public HttpKinds() {}

  @Override
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.of(HttpHealthCheck.KIND);
  }
}

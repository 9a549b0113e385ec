package dev.bulwark.test.kind;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.PolicyKindProvider;
import java.util.List;

/** Adds {@link Quota#KIND} to every registry built while the test classes are on the class path. */
public final class QuotaKinds implements PolicyKindProvider {
  @Override
  public List<PolicyKind<?, ?, ?>> kinds() {
    return List.of(Quota.KIND);
  }
}

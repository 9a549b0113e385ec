package dev.bulwark.admin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
  private final BearerToken token = new BearerToken("0123456789abcdef-token");

  @Test
  void acceptsExactlyTheTokenUnderTheBearerScheme() {
    assertThat(token.accepts("Bearer 0123456789abcdef-token")).isTrue();
    assertThat(token.accepts("bearer 0123456789abcdef-token")).isTrue();
    assertThat(token.accepts(null)).isFalse();
    assertThat(token.accepts("")).isFalse();
    assertThat(token.accepts("Bearer ")).isFalse();
    assertThat(token.accepts("Bearer 0123456789abcdef-toke")).isFalse();
    assertThat(token.accepts("Bearer 0123456789abcdef-tokenn")).isFalse();
    assertThat(token.accepts("Bearer 0123456789ABCDEF-token")).isFalse();
    assertThat(token.accepts("0123456789abcdef-token")).isFalse();
    assertThat(token.accepts("Basic 0123456789abcdef-token")).isFalse();
  }

  @Test
  void comparesOnlyFixedLengthDigestsThroughMessageDigestIsEqual() {
    JavaClasses classes = new ClassFileImporter().importClasses(BearerToken.class);

    noClasses()
        .should()
        .callMethod(String.class, "equals", Object.class)
        .orShould()
        .callMethod(String.class, "contentEquals", CharSequence.class)
        .orShould()
        .callMethod(String.class, "equalsIgnoreCase", String.class)
        .orShould()
        .callMethod(String.class, "compareTo", String.class)
        .orShould()
        .callMethod(Arrays.class, "equals", byte[].class, byte[].class)
        .orShould()
        .callMethod(Object.class, "equals", Object.class)
        .because(
            "a comparison that stops at the first difference tells an attacker how much"
                + " of a guess is right")
        .check(classes);
    assertThat(
            classes.get(BearerToken.class).getMethodCallsFromSelf().stream()
                .anyMatch(
                    call ->
                        call.getTarget().getOwner().isEquivalentTo(MessageDigest.class)
                            && call.getName().equals("isEqual")))
        .isTrue();
  }
}

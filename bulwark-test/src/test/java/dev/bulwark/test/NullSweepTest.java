package dev.bulwark.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.sweep.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;

class NullSweepTest {

  private final NullSweep sweep =
      NullSweep.ofPackage("dev.bulwark.test.sweep")
          .nullable(Samples.Note.class, "<init>", "comment");

  @Test
  void reportsEveryMemberThatTakesNullOrFailsWithoutNamingTheParameter() {
    List<String> failures = sweep.run();

    assertThat(failures)
        .anySatisfy(f -> assertThat(f).startsWith("Samples.lax(name) ").endsWith(": accepted null"))
        .anySatisfy(
            f ->
                assertThat(f)
                    .startsWith("Samples.vague(name) ")
                    .contains("not \"name must not be null\""))
        .anySatisfy(
            f ->
                assertThat(f)
                    .startsWith("Samples.confused(name) ")
                    .contains("\"label must not be null\""))
        .hasSize(3);
  }

  @Test
  void passesMembersThatNameTheNullParameterAndDocumentedNullableOnes() {
    assertThat(sweep.run())
        .noneMatch(f -> f.startsWith("Samples.compliant("))
        .noneMatch(f -> f.startsWith("Note."))
        .noneMatch(f -> f.startsWith("Samples.confused(label)"));
  }

  @Test
  void skippedMembersAreLeftOut() {
    List<String> failures =
        sweep
            .skip(Samples.class, "lax", "name")
            .skip(Samples.class, "vague", "name")
            .skip(Samples.class, "confused", "name")
            .run();

    assertThat(failures).isEmpty();
  }

  @Test
  void aPackageWithNoPublicTypeIsAFailureNotAPass() {
    assertThat(NullSweep.ofPackage("dev.bulwark.no.such.pkg").run())
        .containsExactly("no public type found in package dev.bulwark.no.such.pkg");
  }
}

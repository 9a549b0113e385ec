package dev.bulwark.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.bulwark.Resilience;
import dev.bulwark.admin.AdminServer;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The package rules every module keeps, read from the compiled classes of core, the test kit, the
 * HTTP client, the cache, the admin server and this demo: packages form no cycle, nothing outside
 * core touches {@code dev.bulwark.internal}, core's root package (the registry) sits on top of
 * core's other packages, and core's module exports every package but {@code internal}.
 */
class BoundariesTest {
  private static final String INTERNAL = "dev.bulwark.internal";

  private static final Path CORE = locationOf(Resilience.class);
  private static final JavaClasses CORE_CLASSES = importFrom(CORE);
  private static final JavaClasses OTHER_MODULES_CLASSES =
      importFrom(
          locationOf(ResilientHttpClient.class),
          locationOf(ResilientCache.class),
          locationOf(ManualClock.class),
          locationOf(AdminServer.class),
          locationOf(Showcase.class));
  private static final JavaClasses ALL_CLASSES =
      importFrom(
          CORE,
          locationOf(ResilientHttpClient.class),
          locationOf(ResilientCache.class),
          locationOf(ManualClock.class),
          locationOf(AdminServer.class),
          locationOf(Showcase.class));

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    slices()
        .assignedFrom(byPackage())
        .should()
        .beFreeOfCycles()
        .because("a package cycle makes the packages one unit that can't be understood apart")
        .check(ALL_CLASSES);
  }

  @Test
  void onlyCoreUsesItsInternalPackage() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage(INTERNAL + "..")
        .because(INTERNAL + " is not exported and may change any day")
        .check(OTHER_MODULES_CLASSES);
  }

  @Test
  void nothingInCoreDependsOnTheRegistrysPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.bulwark")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.bulwark")
        .because("the registry builds on every policy, so no policy may build on it")
        .check(CORE_CLASSES);
  }

  @Test
  void coreExportsEveryPackageButInternal() {
    ModuleDescriptor core =
        ModuleFinder.of(CORE).findAll().stream()
            .map(ModuleReference::descriptor)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no module descriptor in " + CORE));
    Set<String> packages =
        CORE_CLASSES.stream()
            .map(JavaClass::getPackageName)
            .filter(name -> !name.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> exported =
        core.exports().stream()
            .filter(export -> !export.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(core.name()).isEqualTo("dev.bulwark.core");
    assertThat(exported).doesNotContain(INTERNAL);
    assertThat(exported).as("API packages exported").isEqualTo(without(packages, INTERNAL));
  }

  private static SliceAssignment byPackage() {
    return new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
        return javaClass.getPackageName().startsWith("dev.bulwark")
            ? SliceIdentifier.of(javaClass.getPackageName())
            : SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return "each package of Bulwark";
      }
    };
  }

  private static Set<String> without(Set<String> packages, String excluded) {
    Set<String> rest = new TreeSet<>(packages);
    rest.remove(excluded);
    return rest;
  }

  /** The classes in each location: a classes directory in a reactor build, a jar after package. */
  private static JavaClasses importFrom(Path... locations) {
    return new ClassFileImporter()
        .importLocations(
            Arrays.stream(locations).map(BoundariesTest::location).collect(Collectors.toList()));
  }

  private static Location location(Path path) {
    if (!Files.isRegularFile(path)) {
      return Location.of(path);
    }
    try {
      return Location.of(new JarFile(path.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path locationOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

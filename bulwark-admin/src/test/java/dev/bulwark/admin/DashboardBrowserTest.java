package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by chromedriver. During a
 * scripted outage (a manual clock, calls that fail on cue) it must show what a person would see.
 * Runs with {@code -Pbrowser}; fails, never skips, when the browser is missing.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Path profile;
  private static ChromeDriver browser;
  private final AdminFixture admin = new AdminFixture();

  @BeforeAll
  static void startBrowser() throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError(
          "the browser tests need Debian's chromium and chromedriver at "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + ": apt-get install -y chromium chromium-driver");
    }
    profile = Files.createTempDirectory("bulwark-dashboard-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1180,760",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @AfterEach
  void stopServer() {
    admin.close();
  }

  @Test
  void aPersonSeesTheOutageOpenTheBreakerAndTheRecoveryCloseIt() throws Exception {
    admin.resilience.circuitBreaker("payments");
    for (int i = 0; i < 6; i++) {
      admin.succeed(20 + i * 5);
      admin.clock.advance(Duration.ofSeconds(1)); // a few seconds of history for the sparkline
    }
    browser.get(admin.server.uri().toString());

    WebElement tile = tile("inventory");
    waitUntil(() -> state(tile).equals("CLOSED"), "the inventory tile shows CLOSED");
    waitUntil(() -> text(tile, ".rate").equals("0.6"), "the rate shows 6 calls in 10 s");
    waitUntil(() -> !text(tile, ".p50").equals("-"), "the latency shows");
    assertThat(text(tile, ".errors")).isEqualTo("0");
    waitUntil(() -> health().equals("HEALTHY"), "the banner says HEALTHY");
    waitUntil(
        () -> browser.findElement(By.id("live")).getDomAttribute("data-live").equals("true"),
        "the event stream is live");

    // the outage: three failures in a row open the breaker, the next calls are rejected
    for (int i = 0; i < 3; i++) {
      admin.fail(300);
    }
    admin.succeed(1);
    admin.succeed(1);
    waitUntil(() -> state(tile).equals("OPEN"), "the inventory tile turns OPEN");
    waitUntil(() -> health().equals("CRITICAL"), "the banner says CRITICAL");
    waitUntil(() -> text(tile, ".errors").equals("33.3"), "the error rate shows 3 of 9");
    waitUntil(() -> text(tile, ".rejected").equals("2"), "the rejections show");
    waitUntil(() -> text(tile, ".fallbacks").equals("5"), "the fallbacks show");
    waitUntil(() -> eventLog().contains("inventory: CLOSED -> OPEN"), "the log shows the change");
    screenshot("dashboard-outage.png");

    // recovery: after the open wait a probe succeeds and the breaker closes
    admin.clock.advance(Duration.ofSeconds(10));
    admin.succeed(15);
    waitUntil(() -> state(tile).equals("CLOSED"), "the inventory tile turns CLOSED again");
    waitUntil(() -> eventLog().contains("inventory: HALF_OPEN -> CLOSED"), "the log shows it");
    waitUntil(() -> text(tile, ".rate").equals("0.1"), "the window moved on: 1 call in 10 s");
  }

  @Test
  void resetWorksWithTheTokenAndIsRefusedWithoutIt() throws Exception {
    admin.succeed(10);
    admin.breaker().forceOpen();
    browser.get(admin.server.uri().toString());
    WebElement tile = tile("inventory");
    waitUntil(() -> state(tile).equals("FORCED_OPEN"), "the tile shows FORCED_OPEN");
    WebElement token = browser.findElement(By.id("token"));
    token.clear();

    tile.findElement(By.cssSelector("button.reset")).click();
    waitUntil(() -> text(tile, ".msg").startsWith("reset refused (401)"), "the refusal shows");
    assertThat(text(tile, ".msg")).contains("admin token");
    assertThat(admin.breaker().state().name()).isEqualTo("FORCED_OPEN");
    assertThat(state(tile)).isEqualTo("FORCED_OPEN");

    token.sendKeys("not-the-token-at-all");
    tile.findElement(By.cssSelector("button.reset")).click();
    waitUntil(() -> text(tile, ".msg").startsWith("reset refused (401)"), "a wrong token too");
    assertThat(admin.breaker().state().name()).isEqualTo("FORCED_OPEN");

    token.clear();
    token.sendKeys(AdminFixture.TOKEN);
    tile.findElement(By.cssSelector("button.reset")).click();
    waitUntil(() -> text(tile, ".msg").equals("reset: done, now CLOSED"), "the reset shows");
    waitUntil(() -> state(tile).equals("CLOSED"), "the tile turns CLOSED");
    assertThat(admin.breaker().state().name()).isEqualTo("CLOSED");

    tile.findElement(By.cssSelector("button.force-open")).click();
    waitUntil(() -> state(tile).equals("FORCED_OPEN"), "force open works from the page");
    waitUntil(() -> eventLog().contains("admin: force-open of inventory"), "and is logged");
  }

  @Test
  void aPolicyNameIsShownAsTextNeverAsMarkup() throws Exception {
    admin.resilience.circuitBreaker("<img src=x onerror=alert(1)>");
    browser.get(admin.server.uri().toString());

    WebElement tile = tile("<img src=x onerror=alert(1)>");

    assertThat(text(tile, ".name")).isEqualTo("<img src=x onerror=alert(1)>");
    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
  }

  private WebElement tile(String name) {
    new WebDriverWait(browser, WAIT)
        .withMessage("a tile for " + name)
        .until(
            d ->
                d.findElements(By.cssSelector(".tile")).stream()
                    .anyMatch(t -> name.equals(t.getDomAttribute("data-name"))));
    return browser.findElements(By.cssSelector(".tile")).stream()
        .filter(t -> name.equals(t.getDomAttribute("data-name")))
        .findFirst()
        .orElseThrow();
  }

  private static String state(WebElement tile) {
    return tile.getDomAttribute("data-state");
  }

  private static String text(WebElement tile, String css) {
    WebElement e = tile.findElement(By.cssSelector(css));
    return e.getTagName().equals("div") && e.findElements(By.tagName("b")).size() == 1
        ? e.findElement(By.tagName("b")).getText()
        : e.getText();
  }

  private static String health() {
    return browser.findElement(By.id("health")).getDomAttribute("data-status");
  }

  private static String eventLog() {
    return browser.findElement(By.id("events")).getText();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, String what) {
    new WebDriverWait(browser, WAIT).withMessage(what).until(d -> condition.getAsBoolean());
  }

  private static void screenshot(String name) throws IOException {
    Path target = Paths.get("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        target,
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isPositive();
    assertThat(((TakesScreenshot) browser)).isNotNull();
  }
}

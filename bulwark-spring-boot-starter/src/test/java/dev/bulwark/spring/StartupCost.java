package dev.bulwark.spring;

import dev.bulwark.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.metrics.StartupStep;

/**
 * Measures one start of a small web application (Tomcat, actuator, one annotated bean), with the
 * starter or, given {@code without}, with its auto-configuration excluded; prints the milliseconds
 * {@code SpringApplication.run} took. Not a test: run it in fresh JVMs, alternating, and compare
 * medians (see the starter's report for the command).
 */
public final class StartupCost {
  private StartupCost() {}

  /**
   * Starts and stops the application once ({@code with} or {@code without}), or, given {@code warm
   * N}, N times each way alternating in this JVM after 3 starts each to warm it, printing every
   * time.
   */
  public static void main(String[] args) {
    if (args.length > 1 && args[0].equals("warm")) {
      int n = Integer.parseInt(args[1]);
      for (int i = 0; i < 3; i++) {
        start(true);
        start(false);
      }
      for (int i = 0; i < n; i++) {
        System.out.println("warm " + start(i % 2 == 0));
        System.out.println("warm " + start(i % 2 != 0));
      }
      return;
    }
    if (args.length > 0 && args[0].equals("beans")) {
      System.out.println(beans());
      return;
    }
    System.out.println(start(args.length > 0 && args[0].equals("without")));
  }

  /**
   * One start with the starter, recording Spring's start-up steps: the milliseconds spent creating
   * the starter's beans (outermost steps only, so a bean created inside another counts once), class
   * loading included.
   */
  private static String beans() {
    SpringApplication app = new SpringApplication(Application.class);
    app.setLogStartupInfo(false);
    BufferingApplicationStartup steps = new BufferingApplicationStartup(100_000);
    app.setApplicationStartup(steps);
    ConfigurableApplicationContext context =
        app.run("--server.port=0", "--logging.level.root=WARN");
    Set<Long> ours = new HashSet<>();
    long nanos = 0;
    for (StartupTimeline.TimelineEvent event : steps.getBufferedTimeline().getEvents()) {
      StartupStep step = event.getStartupStep();
      boolean bulwark = false;
      for (StartupStep.Tag tag : step.getTags()) {
        bulwark |= tag.getKey().equals("beanName") && tag.getValue().contains("ulwark");
      }

      if (step.getName().equals("spring.beans.instantiate") && bulwark) {
        ours.add(step.getId());
        Long parent = step.getParentId();
        if (parent == null || !ours.contains(parent)) {
          nanos += event.getDuration().toNanos();
          if (Boolean.getBoolean("startup.detail")) {
            for (StartupStep.Tag tag : step.getTags()) {
              if (tag.getKey().equals("beanName")) {
                System.out.println(tag.getValue() + " " + event.getDuration().toMillis());
              }
            }
          }
        }
      }
    }
    context.close();
    return "beans " + nanos / 1_000_000.0;
  }

  private static String start(boolean without) {
    SpringApplication app = new SpringApplication(Application.class);
    app.setLogStartupInfo(false);
    String[] properties = {
      "--server.port=0",
      "--logging.level.root=WARN",
      without ? "--spring.autoconfigure.exclude=" + BulwarkAutoConfiguration.class.getName() : ""
    };
    long start = Clock.system().nanoTime();
    ConfigurableApplicationContext context = app.run(properties);
    long took = Clock.system().nanoTime() - start;
    context.close();
    return (without ? "without " : "with ") + took / 1_000_000;
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Annotated.class)
  static class Application {}

  static class Annotated {
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "quotes", fallbackMethod = "cached")
    @dev.bulwark.spring.annotation.Retry(name = "quotes")
    public String quote() {
      return "live";
    }

    String cached(Throwable failure) {
      return "cached";
    }
  }
}

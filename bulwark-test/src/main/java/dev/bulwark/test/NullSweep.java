package dev.bulwark.test;

import dev.bulwark.test.internal.Check;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a package's public API refuses {@code null} the way Bulwark's API promises: every
 * public constructor, static method and instance method, given {@code null} for one reference
 * parameter (and usable values for the others), throws a {@link NullPointerException} whose message
 * says {@code "<parameter> must not be null"} (the convention of {@code
 * dev.bulwark.test.internal.Check#notNull}); a one-argument method such as a builder's setter may
 * name its setting, the method, instead ({@code "openDuration must not be null"}). Parameters
 * documented as nullable are declared with {@link #nullable}.
 *
 * <p>In the spirit of Guava's {@code NullPointerTester}, which cannot check the message: this sweep
 * reads parameter names, so the classes under test must be compiled with {@code -parameters}.
 *
 * {@snippet :
 * List<String> failures =
 *     NullSweep.ofPackage("dev.bulwark.time")
 *         .instance(Clock.system()) // sweeps Clock's instance methods on it
 *         .instance(Scheduler.system())
 *         .run();
 * assertThat(failures).isEmpty();
 * }
 *
 * <p>How values are found for the other parameters, in order: a value given to {@link
 * #defaultValue}; a built-in one for common JDK types ({@code String}, {@code Duration},
 * collections, functional interfaces, ...); an enum's first constant; an instance given to {@link
 * #instance} of that type; a public static {@code ofDefaults()} or {@code create()}; a public
 * {@code builder()} whose {@code build()} needs nothing; a record built from such values; a public
 * no-argument constructor; for any other interface, a proxy that returns zeros and nulls. Instance
 * methods are swept on the instances given to {@link #instance} and on instances made the same way.
 *
 * <p>Not thread-safe: configure, then {@link #run()} once.
 */
public final class NullSweep {
  private static final String NOT_NULL = " must not be null";

  private final String packageName;
  private final Map<Class<?>, Object> defaults = new LinkedHashMap<>();
  private final List<Object> instances = new ArrayList<>();
  private final Set<String> nullable = new HashSet<>();
  private final Set<String> skipped = new HashSet<>();
  private final Set<Class<?>> implementedByUsers = new HashSet<>();

  private NullSweep(String packageName) {
    this.packageName = packageName;
  }

  /**
   * A sweep of the public types of {@code packageName} (not of its subpackages), found on the class
   * path of this class's loader.
   *
   * @throws NullPointerException if {@code packageName} is null
   */
  public static NullSweep ofPackage(String packageName) {
    return new NullSweep(Check.notNull("packageName", packageName));
  }

  /**
   * Uses {@code value} wherever a parameter of exactly {@code type} needs a usable value.
   *
   * @throws NullPointerException if an argument is null
   */
  public <T> NullSweep defaultValue(Class<T> type, T value) {
    defaults.put(Check.notNull("type", type), Check.notNull("value", value));
    return this;
  }

  /**
   * Sweeps the public instance methods of {@code instance} (for the public types of the package it
   * is an instance of), and uses it as a usable value for parameters of its types.
   *
   * @throws NullPointerException if {@code instance} is null
   */
  public NullSweep instance(Object instance) {
    instances.add(Check.notNull("instance", instance));
    return this;
  }

  /**
   * Declares that {@code parameter} of every member named {@code member} of {@code type} accepts
   * null, as documented. {@code member} is a method's name, or {@code "<init>"} for constructors.
   *
   * @throws NullPointerException if an argument is null
   */
  public NullSweep nullable(Class<?> type, String member, String parameter) {
    nullable.add(key(Check.notNull("type", type), Check.notNull("member", member), parameter));
    return this;
  }

  /**
   * Leaves {@code parameter} of every member named {@code member} of {@code type} out of the sweep,
   * for example a known failure tracked elsewhere.
   *
   * @throws NullPointerException if an argument is null
   */
  public NullSweep skip(Class<?> type, String member, String parameter) {
    skipped.add(key(Check.notNull("type", type), Check.notNull("member", member), parameter));
    return this;
  }

  /**
   * Declares {@code type} an interface that users implement (a listener, a policy of their own):
   * its instance methods are not swept, since the implementation under test would be the sweep's
   * own. Its static methods still are.
   *
   * @throws NullPointerException if {@code type} is null
   */
  public NullSweep implementedByUsers(Class<?> type) {
    implementedByUsers.add(Check.notNull("type", type));
    return this;
  }

  /**
   * The key {@link #nullable} and {@link #skip} use, and failures start with: {@code
   * Type.member(parameter)}.
   */
  public static String key(Class<?> type, String member, String parameter) {
    return type.getSimpleName() + "." + member + "(" + Check.notNull("parameter", parameter) + ")";
  }

  /**
   * Runs the sweep.
   *
   * @return one line per failure, each starting with its {@link #key}: a member that accepted null,
   *     threw something else, or named the wrong parameter; and a type whose instance methods could
   *     not be swept because no instance could be made. Empty if everything complied.
   */
  public List<String> run() {
    List<String> failures = new ArrayList<>();
    List<Class<?>> types = publicTypes();
    if (types.isEmpty()) {
      failures.add("no public type found in package " + packageName);
      return failures;
    }
    for (Class<?> type : types) {
      for (Constructor<?> constructor : type.getConstructors()) {
        sweep(type, constructor, null, failures);
      }
      boolean hasInstanceMethods = false;
      for (Method method : type.getMethods()) {
        if (!sweptMethod(type, method)) {
          continue;
        }
        if (Modifier.isStatic(method.getModifiers())) {
          sweep(type, method, null, failures);
        } else if (hasReferenceParameter(method)) {
          hasInstanceMethods = true;
        }
      }
      if (hasInstanceMethods && !implementedByUsers.contains(type)) {
        List<Object> receivers = receivers(type);
        if (receivers.isEmpty()) {
          failures.add(
              type.getSimpleName()
                  + ": no instance to sweep its instance methods on; pass one to instance()");
        }
        for (Object receiver : receivers) {
          for (Method method : type.getMethods()) {
            if (sweptMethod(type, method) && !Modifier.isStatic(method.getModifiers())) {
              sweep(type, method, receiver, failures);
            }
          }
        }
      }
    }
    return failures;
  }

  private static boolean hasReferenceParameter(Executable member) {
    for (Class<?> type : member.getParameterTypes()) {
      if (!type.isPrimitive()) {
        return true;
      }
    }
    return false;
  }

  private boolean sweptMethod(Class<?> type, Method method) {
    if (method.isSynthetic() || method.isBridge()) {
      return false;
    }
    Class<?> declaring = method.getDeclaringClass();
    if (declaring == Object.class || declaring == Enum.class || declaring == Record.class) {
      return false;
    }
    if (!declaring.getPackageName().equals(packageName)) {
      return false; // swept with its own package
    }
    if (method.getName().equals("equals") && method.getParameterCount() == 1) {
      return false; // equals(null) is false by contract
    }
    if (type.isEnum()
        && Modifier.isStatic(method.getModifiers())
        && (method.getName().equals("valueOf") || method.getName().equals("values"))) {
      return false; // generated by the compiler
    }
    return true;
  }

  private List<Object> receivers(Class<?> type) {
    List<Object> found = new ArrayList<>();
    for (Object instance : instances) {
      if (type.isInstance(instance)) {
        found.add(instance);
      }
    }
    if (found.isEmpty()) {
      Object made = make(type, new HashSet<>());
      if (made != null && !Proxy.isProxyClass(made.getClass())) {
        found.add(made);
      }
    }
    return found;
  }

  private void sweep(
      Class<?> type, Executable member, @Nullable Object receiver, List<String> failures) {
    String memberName = member instanceof Constructor ? "<init>" : member.getName();
    Parameter[] parameters = member.getParameters();
    for (int i = 0; i < parameters.length; i++) {
      Parameter parameter = parameters[i];
      if (parameter.getType().isPrimitive()) {
        continue;
      }
      if (!parameter.isNamePresent()) {
        failures.add(
            signature(type, memberName, member)
                + ": parameter names are missing; compile with -parameters");
        return;
      }
      String key = key(type, memberName, parameter.getName());
      if (nullable.contains(key) || skipped.contains(key)) {
        continue;
      }
      Object[] args = new Object[parameters.length];
      String unusable = null;
      for (int j = 0; j < parameters.length; j++) {
        if (j == i) {
          continue;
        }
        args[j] = value(parameters[j].getType(), new HashSet<>());
        if (args[j] == null) {
          unusable = parameters[j].getType().getName();
        }
      }
      if (unusable != null) {
        failures.add(
            key
                + " in "
                + signature(type, memberName, member)
                + ": no usable value for a parameter of type "
                + unusable
                + "; pass one to defaultValue()");
        continue;
      }
      // A builder's setter may name its setting (the method) rather than its parameter.
      String setting = member instanceof Method && parameters.length == 1 ? memberName : null;
      String problem = check(member, receiver, args, parameter.getName(), setting);
      if (problem != null) {
        String on = receiver == null ? "" : " on a " + receiver.getClass().getSimpleName();
        failures.add(key + " in " + signature(type, memberName, member) + on + ": " + problem);
      }
    }
  }

  /** Null if {@code member} threw the expected NullPointerException, else what went wrong. */
  private static @Nullable String check(
      Executable member,
      @Nullable Object receiver,
      @Nullable Object[] args,
      String name,
      @Nullable String setting) {
    Throwable thrown;
    try {
      if (member instanceof Constructor<?> constructor) {
        constructor.newInstance(args);
      } else {
        ((Method) member).invoke(receiver, args);
      }
      return "accepted null";
    } catch (InvocationTargetException e) {
      thrown = e.getCause();
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      return "could not be called: " + e;
    }
    if (!(thrown instanceof NullPointerException)) {
      return "threw " + thrown + " instead of a NullPointerException";
    }
    String message = thrown.getMessage();
    if (message == null
        || !(message.contains(name + NOT_NULL)
            || (setting != null && message.contains(setting + NOT_NULL)))) {
      return "threw a NullPointerException whose message is \""
          + message
          + "\", not \""
          + name
          + NOT_NULL
          + "\"";
    }
    return null;
  }

  private static String signature(Class<?> type, String memberName, Executable member) {
    StringBuilder sb = new StringBuilder(type.getSimpleName()).append('.').append(memberName);
    sb.append('(');
    Class<?>[] types = member.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return sb.append(')').toString();
  }

  // ------------------------------------------------------------------ usable values

  private @Nullable Object value(Class<?> type, Set<Class<?>> making) {
    if (defaults.containsKey(type)) {
      return defaults.get(type);
    }
    Object builtIn = builtIn(type);
    if (builtIn != null) {
      return builtIn;
    }
    for (Object instance : instances) {
      if (type.isInstance(instance)) {
        return instance;
      }
    }
    return make(type, making);
  }

  private static @Nullable Object builtIn(Class<?> type) {
    if (type == boolean.class || type == Boolean.class) {
      return true;
    } else if (type == int.class || type == Integer.class) {
      return 1;
    } else if (type == long.class || type == Long.class) {
      return 1L;
    } else if (type == double.class || type == Double.class) {
      return 1.0; // a valid multiplier, rate and percentage alike
    } else if (type == float.class || type == Float.class) {
      return 1.0f;
    } else if (type == short.class || type == Short.class) {
      return (short) 1;
    } else if (type == byte.class || type == Byte.class) {
      return (byte) 1;
    } else if (type == char.class || type == Character.class) {
      return 'a';
    } else if (type == String.class || type == CharSequence.class || type == Object.class) {
      return "sweep";
    } else if (type == Duration.class) {
      return Duration.ofSeconds(1);
    } else if (type == Instant.class) {
      return Instant.EPOCH;
    } else if (type == Class.class) {
      return RuntimeException.class;
    } else if (type == Throwable.class || type == Exception.class) {
      return new IllegalStateException("sweep");
    } else if (type == RuntimeException.class) {
      return new IllegalStateException("sweep");
    } else if (type == List.class || type == Collection.class || type == Iterable.class) {
      return List.of();
    } else if (type == Set.class) {
      return Set.of();
    } else if (type == Map.class) {
      return Map.of();
    } else if (type == Optional.class) {
      return Optional.empty();
    } else if (type == Executor.class) {
      return (Executor) Runnable::run;
    } else if (type == Callable.class) {
      return (Callable<Object>) () -> "sweep";
    } else if (type == Supplier.class) {
      return (Supplier<Object>) () -> null;
    } else if (type == CompletionStage.class || type == CompletableFuture.class) {
      return CompletableFuture.completedFuture("sweep");
    } else if (type == Runnable.class) {
      return (Runnable) () -> {};
    } else if (type.getName().equals("java.util.random.RandomGenerator")) {
      return new SplittableRandom(1);
    } else if (type.isArray()) {
      return Array.newInstance(type.getComponentType(), 0);
    } else if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants.length == 0 ? null : constants[0];
    }
    return null;
  }

  /** An instance of {@code type} made from its own factories, or null if none works. */
  private @Nullable Object make(Class<?> type, Set<Class<?>> making) {
    if (!making.add(type)) {
      return null; // a cycle: give up on this path
    }
    try {
      for (String factory : List.of("ofDefaults", "create")) {
        Object made = invokeStatic(type, factory);
        if (made != null) {
          return made;
        }
      }
      Object builder = invokeStatic(type, "builder");
      if (builder == null && type.getEnclosingClass() != null) {
        Object outer = invokeStatic(type.getEnclosingClass(), "builder"); // Config.Builder
        builder = type.isInstance(outer) ? outer : null;
        if (builder != null) {
          return builder;
        }
      }
      if (builder != null) {
        try {
          Object built = builder.getClass().getMethod("build").invoke(builder);
          if (type.isInstance(built)) {
            return built;
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          // the builder needs more than its defaults: try the next way
        }
      }
      if (type.isRecord()) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
          types[i] = components[i].getType();
          args[i] = value(types[i], making);
          if (args[i] == null) {
            return null;
          }
        }
        try {
          return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException e) {
          return null;
        }
      }
      if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
        try {
          return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
          return null;
        }
      }
      if (type.isInterface()) {
        return Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> "NullSweep proxy of " + type.getSimpleName();
                };
              }
              Class<?> returned = method.getReturnType();
              return returned.isPrimitive() && returned != void.class ? builtIn(returned) : null;
            });
      }
      return null;
    } finally {
      making.remove(type);
    }
  }

  private static @Nullable Object invokeStatic(Class<?> type, String name) {
    try {
      Method method = type.getMethod(name);
      if (!Modifier.isStatic(method.getModifiers())) {
        return null;
      }
      return method.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ finding the types

  /**
   * The file names in {@code path} of the named module in the boot layer that holds the package.
   */
  private Set<String> namesInNamedModule(String path) throws IOException {
    Set<String> names = new TreeSet<>();
    for (Module module : ModuleLayer.boot().modules()) {
      if (!module.getPackages().contains(packageName)) {
        continue;
      }
      Optional<ResolvedModule> resolved =
          ModuleLayer.boot().configuration().findModule(module.getName());
      if (resolved.isEmpty()) {
        continue;
      }
      try (ModuleReader reader = resolved.get().reference().open();
          Stream<String> entries = reader.list()) {
        entries
            .filter(e -> e.startsWith(path + "/") && e.indexOf('/', path.length() + 1) < 0)
            .forEach(e -> names.add(e.substring(path.length() + 1)));
      }
    }
    return names;
  }

  private List<Class<?>> publicTypes() {
    ClassLoader loader = NullSweep.class.getClassLoader();
    String path = packageName.replace('.', '/');
    Set<String> names = new TreeSet<>();
    try {
      Enumeration<URL> roots = loader.getResources(path);
      while (roots.hasMoreElements()) {
        URL root = roots.nextElement();
        if (root.getProtocol().equals("file")) {
          File[] files = Path.of(root.toURI()).toFile().listFiles();
          if (files != null) {
            for (File file : files) {
              names.add(file.getName());
            }
          }
        } else if (root.getProtocol().equals("jar")) {
          try (JarFile jar = ((JarURLConnection) root.openConnection()).getJarFile()) {
            Iterator<JarEntry> entries = jar.entries().asIterator();
            while (entries.hasNext()) {
              String entry = entries.next().getName();
              if (entry.startsWith(path + "/") && entry.indexOf('/', path.length() + 1) < 0) {
                names.add(entry.substring(path.length() + 1));
              }
            }
          }
        }
      }
      names.addAll(namesInNamedModule(path)); // on the module path, resources hide packages
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Map<String, Class<?>> types = new HashMap<>();
    for (String file : names) {
      if (!file.endsWith(".class") || file.equals("package-info.class")) {
        continue;
      }
      String className = packageName + "." + file.substring(0, file.length() - 6);
      try {
        Class<?> type = Class.forName(className, false, loader);
        if (isPublicApi(type)) {
          types.put(className, type);
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // not loadable here: not API we can sweep
      }
    }
    return new ArrayList<>(new java.util.TreeMap<>(types).values());
  }

  private static boolean isPublicApi(Class<?> type) {
    if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }
}

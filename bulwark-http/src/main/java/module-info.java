/** A resilient client over {@code java.net.http.HttpClient}, guarded by Bulwark's policies. */
module dev.bulwark.http {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires transitive java.net.http;

  exports dev.bulwark.http;

  provides dev.bulwark.spi.PolicyKindProvider with
      dev.bulwark.http.internal.HttpKinds;
}

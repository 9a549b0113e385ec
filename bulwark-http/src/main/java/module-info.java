/** A resilient client over {@code java.net.http.HttpClient}, guarded by Bulwark's policies. */
module dev.bulwark.http {
  requires transitive dev.bulwark.core;
  requires transitive java.net.http;

  exports dev.bulwark.http;
}

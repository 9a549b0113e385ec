package dev.bulwark.test.http;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Serves one accepted connection on its own thread: reads requests one after another (keep-alive),
 * records each, then plays the reply the server picks for it.
 *
 * <p>Design: the socket belongs to this thread, which is the only one that reads or writes it. The
 * server's {@code close()} may close the socket from another thread; that unblocks any read here
 * with an exception, which ends the loop. While a reply is stalled the thread does not just wait on
 * the gate: it reads the socket with a short timeout, so it sees the client close or reset the
 * connection (how the JDK client cancels an HTTP/1.1 request). Bytes read meanwhile stay in the
 * {@link RequestReader}'s buffer for the next request. The {@code finally} in {@link #run()} closes
 * the socket and then tells the server, so the open-connection count is exact.
 *
 * <p>Thread-safe in the sense above: only {@link #closeSocket()} is called from other threads.
 */
final class ScriptedConnection implements Runnable {
  /** How often a stalled request looks at the gate and the server between reads of the socket. */
  private static final int WATCH_MILLIS = 10;

  private static final byte[] CRLF = {'\r', '\n'};

  private final ScriptedHttpServer server;
  private final Socket socket;
  private final int id;

  ScriptedConnection(ScriptedHttpServer server, Socket socket, int id) {
    this.server = server;
    this.socket = socket;
    this.id = id;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (MalformedRequestException e) {
      server.recordError(new IllegalStateException("connection " + id + ": " + e.getMessage(), e));
    } catch (IOException e) {
      // The client went away or the server closed the socket: an ordinary end.
    } catch (RuntimeException | Error e) {
      server.recordError(e);
    } finally {
      closeSocket();
      server.connectionEnded(id);
    }
  }

  void closeSocket() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is all that was wanted.
    }
  }

  private void serve() throws IOException {
    RequestReader reader = new RequestReader(socket.getInputStream());
    OutputStream out = new BufferedOutputStream(socket.getOutputStream());
    for (int sequence = 0; ; sequence++) {
      RequestReader.Head head = reader.readHead();
      if (head == null) {
        return; // the client closed an idle connection
      }
      if (head.hasToken("Expect", "100-continue")) {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      byte[] body = reader.readBody(head);
      RecordedRequest request =
          new RecordedRequest(head.method(), head.target(), head.headers(), body, id, sequence);
      Reply reply = server.record(request);
      if (!hold(reply, reader)) {
        return;
      }
      switch (reply.action()) {
        case RESET:
          socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
          return;
        case DISCONNECT:
          return;
        default:
          boolean close =
              reply.closesAfter()
                  || head.hasToken("Connection", "close")
                  || (head.version().equals("HTTP/1.0")
                      && !head.hasToken("Connection", "keep-alive"));
          write(reply, head.method().equals("HEAD"), close, out);
          if (reply.endless()) {
            writeForever(reply, out);
            return; // only the client going away or the server closing ends it
          }
          if (close) {
            return;
          }
      }
    }
  }

  /**
   * Plays the reply's delay and stall; false if the connection must close without answering because
   * the server is closing or the client went away while stalled.
   */
  private boolean hold(Reply reply, RequestReader reader) throws IOException {
    if (reply.delayNanos() > 0 && server.awaitClosing(reply.delayNanos())) {
      return false;
    }
    Gate gate = reply.gate();
    if (gate == null || gate.isOpen()) {
      return !server.isClosing();
    }
    gate.stalled();
    socket.setSoTimeout(WATCH_MILLIS);
    try {
      while (!gate.isOpen()) {
        if (server.isClosing()) {
          return false;
        }
        RequestReader.Watch seen;
        try {
          seen = reader.watch();
        } catch (IOException reset) {
          seen = RequestReader.Watch.END;
        }
        if (seen == RequestReader.Watch.END) {
          if (!server.isClosing()) { // else the server closed the socket, not the client
            gate.clientGone();
          }
          return false;
        }
      }
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(0);
      }
    }
    return !server.isClosing();
  }

  private static void write(Reply reply, boolean head, boolean close, OutputStream out)
      throws IOException {
    int status = reply.statusCode();
    boolean noBody = status < 200 || status == 204 || status == 304;
    boolean chunked = reply.chunkSize() > 0 || reply.endless();
    byte[] body = reply.bodyBytes();
    StringBuilder s = new StringBuilder(128);
    s.append("HTTP/1.1 ").append(status).append(' ').append(Reply.reasonPhrase(status));
    s.append("\r\n");
    boolean scriptedFraming = false;
    boolean scriptedConnection = false;
    for (Map.Entry<String, String> h : reply.headers()) {
      s.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      scriptedFraming |= isOneOf(h.getKey(), "Content-Length", "Transfer-Encoding");
      scriptedConnection |= isOneOf(h.getKey(), "Connection");
    }
    if (!noBody && !scriptedFraming) {
      if (chunked) {
        s.append("Transfer-Encoding: chunked\r\n");
      } else {
        s.append("Content-Length: ").append(body.length).append("\r\n");
      }
    }
    if (close && !scriptedConnection) {
      s.append("Connection: close\r\n");
    }
    s.append("\r\n");
    out.write(s.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!noBody && !head && !reply.endless()) {
      if (chunked) {
        writeChunks(body, reply.chunkSize(), out);
      } else {
        out.write(body);
      }
    }
    out.flush();
  }

  /** The endless body's chunks, until writing fails (the client went away) or the server closes. */
  private void writeForever(Reply reply, OutputStream out) throws IOException {
    byte[] pattern = reply.bodyBytes().length > 0 ? reply.bodyBytes() : new byte[] {'x'};
    int size = Math.min(reply.chunkSize() > 0 ? reply.chunkSize() : 64 * 1024, 64 * 1024);
    byte[] chunk = new byte[size];
    for (int i = 0; i < size; i++) {
      chunk[i] = pattern[i % pattern.length];
    }
    byte[] chunkHead = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    while (!server.isClosing()) {
      out.write(chunkHead);
      out.write(chunk);
      out.write(CRLF);
      out.flush();
      server.bodyBytesWritten(size);
    }
  }

  private static void writeChunks(byte[] body, int chunkSize, OutputStream out) throws IOException {
    for (int offset = 0; offset < body.length; offset += chunkSize) {
      int n = Math.min(chunkSize, body.length - offset);
      out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, offset, n);
      out.write(CRLF);
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static boolean isOneOf(String name, String... names) {
    return List.of(names).stream().anyMatch(name::equalsIgnoreCase);
  }
}

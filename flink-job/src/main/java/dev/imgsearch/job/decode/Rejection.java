package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.RejectReason;

/** A file that did not become a vector, as written to the dead-letter output. */
public class Rejection {
  public String path;
  public RejectReason reason;
  public String detail;
  public String fix;

  /** The version of the file that was rejected: its modification time, as listed or read. */
  public long mtimeMs;

  public long timeMs;

  public Rejection() {}

  public static Rejection of(
      String path, long mtimeMs, RejectReason reason, String detail, long timeMs) {
    Rejection r = new Rejection();
    r.path = path;
    r.mtimeMs = mtimeMs;
    r.reason = reason;
    r.detail = detail;
    r.fix = reason.fix();
    r.timeMs = timeMs;
    return r;
  }

  @Override
  public String toString() {
    return reason + " " + path + ": " + detail;
  }
}

package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.RejectReason;

/** A file that did not become a vector, as written to the dead-letter output. */
public class Rejection {
  public String path;
  public RejectReason reason;
  public String detail;
  public String fix;
  public long timeMs;

  public Rejection() {}

  public static Rejection of(String path, RejectReason reason, String detail, long timeMs) {
    Rejection r = new Rejection();
    r.path = path;
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

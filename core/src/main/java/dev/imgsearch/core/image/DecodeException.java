package dev.imgsearch.core.image;

import java.util.Objects;

/**
 * A file that cannot become an image. It is data about the file, not a fault of the program:
 * callers route it to a dead-letter output instead of failing.
 */
public final class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RejectReason reason;
  private final String detail;

  public DecodeException(RejectReason reason, String detail) {
    this(reason, detail, null);
  }

  public DecodeException(RejectReason reason, String detail, Throwable cause) {
    super(reason + ": " + reason.description() + " (" + detail + "); " + reason.fix(), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  public RejectReason reason() {
    return reason;
  }

  /** What exactly was found, e.g. "declares 30000x30000 pixels, limit is 100000000". */
  public String detail() {
    return detail;
  }
}

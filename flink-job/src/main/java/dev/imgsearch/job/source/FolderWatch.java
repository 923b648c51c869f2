package dev.imgsearch.job.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the watch source knows about the folder, and how a new listing changes it: the (mtime, size)
 * of every file that exists as of the last listing and has been handed out, and since when a known
 * file has been missing. A file is forgotten once its deletion is handed out, so the state holds
 * the files that exist now (plus those awaiting their delete delay), never every file ever seen.
 *
 * <p>Pure bookkeeping without I/O or Flink, so that it is tested and measured on its own. Not
 * thread-safe: the enumerator calls it from its coordinator thread only.
 */
final class FolderWatch {

  /** A file's version as listed: a change of either means the content is read again. */
  record FileVersion(long mtimeMs, long sizeBytes) {}

  enum Kind {
    ADDED,
    MODIFIED,
    DELETED
  }

  /** A lifecycle event for one file; for DELETED, {@code version} is the last one known. */
  record Change(Kind kind, String path, FileVersion version) {}

  private final long deleteDelayMs;
  private final Map<String, FileVersion> known;
  private final Map<String, Long> missingSince;

  FolderWatch(long deleteDelayMs) {
    this(deleteDelayMs, new HashMap<>(), new HashMap<>());
  }

  FolderWatch(long deleteDelayMs, Map<String, FileVersion> known, Map<String, Long> missingSince) {
    if (deleteDelayMs < 0) {
      throw new IllegalArgumentException("delete delay must not be negative: " + deleteDelayMs);
    }
    this.deleteDelayMs = deleteDelayMs;
    this.known = known;
    this.missingSince = missingSince;
  }

  /**
   * Takes a complete listing of the folder: returns the files that are new or changed (in listing
   * order) and starts the delete delay of known files that it lacks. A file that is back before its
   * delay ran out was never gone as far as the collection is concerned.
   */
  List<Change> applyListing(Map<String, FileVersion> listing, long nowMs) {
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<String, FileVersion> e : listing.entrySet()) {
      FileVersion old = known.put(e.getKey(), e.getValue());
      missingSince.remove(e.getKey());
      if (old == null) {
        changes.add(new Change(Kind.ADDED, e.getKey(), e.getValue()));
      } else if (!old.equals(e.getValue())) {
        changes.add(new Change(Kind.MODIFIED, e.getKey(), e.getValue()));
      }
    }
    // Every listed file is known by now, so only a larger known set can lack some.
    if (known.size() > listing.size()) {
      for (String path : known.keySet()) {
        if (!listing.containsKey(path)) {
          missingSince.putIfAbsent(path, nowMs);
        }
      }
    }
    return changes;
  }

  /** Known files whose delete delay runs out by {@code byMs}: to be checked once more. */
  List<String> deletionCandidates(long byMs) {
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, Long> e : missingSince.entrySet()) {
      if (e.getValue() + deleteDelayMs <= byMs) {
        due.add(e.getKey());
      }
    }
    return due;
  }

  /**
   * The file was checked and is still absent: if its delay has run out, it is forgotten and its
   * deletion returned; otherwise (or if it reappeared in a listing meanwhile) null.
   */
  Change confirmAbsent(String path, long nowMs) {
    Long since = missingSince.get(path);
    if (since == null || since + deleteDelayMs > nowMs) {
      return null;
    }
    missingSince.remove(path);
    FileVersion last = known.remove(path);
    return last == null ? null : new Change(Kind.DELETED, path, last);
  }

  /** The file was checked and exists after all (the listing missed it): it is not missing. */
  void confirmPresent(String path) {
    missingSince.remove(path);
  }

  int trackedFiles() {
    return known.size();
  }

  int awaitingDeletion() {
    return missingSince.size();
  }

  Map<String, FileVersion> known() {
    return known;
  }

  Map<String, Long> missingSince() {
    return missingSince;
  }

  long deleteDelayMs() {
    return deleteDelayMs;
  }

  /** Drops missing marks of files no longer known (kept consistent after a restore). */
  void pruneOrphans() {
    for (Iterator<String> it = missingSince.keySet().iterator(); it.hasNext(); ) {
      if (!known.containsKey(it.next())) {
        it.remove();
      }
    }
  }
}

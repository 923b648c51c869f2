package dev.imgsearch.job.sink;

import dev.imgsearch.core.store.ImageRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A buffer of row changes as the requests that apply them, in arrival order: each run of upserts is
 * one upsert request, each run of deletes one delete request. Inside a run of upserts, a row id
 * that comes twice (a file read again after a restart, or changed twice within one buffer) is kept
 * once, with its last version: one request must not carry the same primary key twice, because a
 * real server (Milvus 2.5.17, milvus-io/milvus issue 44320) then kept both rows. A delete between
 * two upserts of the same file stays between them, so the order of a file's changes is kept.
 */
final class MilvusRequests {

  /**
   * One request: either upserts, or deletes (of whole files and of other versions of files).
   *
   * @param upserts rows, each id once
   * @param deletedFiles paths whose rows all go
   * @param otherVersions changed files: their rows of other versions go
   */
  record Request(
      List<ImageRecord> upserts, List<String> deletedFiles, List<RowChange> otherVersions) {

    String kind() {
      return upserts.isEmpty() ? "delete" : "upsert";
    }

    int size() {
      return upserts.size() + deletedFiles.size() + otherVersions.size();
    }

    /** "Upsert of 256 rows", "Delete of the rows of 3 files (first: /a.jpg)". */
    String describe() {
      if (!upserts.isEmpty()) {
        return "Upsert of " + upserts.size() + " rows";
      }
      String first = !deletedFiles.isEmpty() ? deletedFiles.get(0) : otherVersions.get(0).path;
      return "Delete of the rows of "
          + (deletedFiles.size() + otherVersions.size())
          + " files"
          + " (first: "
          + first
          + ")";
    }
  }

  private final List<Request> requests;
  private final int collapsed;

  private MilvusRequests(List<Request> requests, int collapsed) {
    this.requests = requests;
    this.collapsed = collapsed;
  }

  static MilvusRequests of(List<RowChange> changes) {
    List<Request> requests = new ArrayList<>();
    int collapsed = 0;
    int i = 0;
    while (i < changes.size()) {
      boolean upserts = changes.get(i).op == RowChange.Op.UPSERT;
      int end = i;
      while (end < changes.size() && (changes.get(end).op == RowChange.Op.UPSERT) == upserts) {
        end++;
      }
      List<RowChange> run = changes.subList(i, end);
      if (upserts) {
        Map<String, ImageRecord> byId = new LinkedHashMap<>();
        for (RowChange change : run) {
          byId.remove(change.row.id()); // re-inserted last: the last version wins
          byId.put(change.row.id(), change.row);
        }
        collapsed += run.size() - byId.size();
        requests.add(new Request(List.copyOf(byId.values()), List.of(), List.of()));
      } else {
        List<String> files = new ArrayList<>();
        List<RowChange> versions = new ArrayList<>();
        for (RowChange change : run) {
          if (change.op == RowChange.Op.DELETE_FILE) {
            files.add(change.path);
          } else {
            versions.add(change);
          }
        }
        requests.add(new Request(List.of(), files, versions));
      }
      i = end;
    }
    return new MilvusRequests(requests, collapsed);
  }

  List<Request> list() {
    return requests;
  }

  /** Upserts dropped because a later one in the same run carried the same id. */
  int collapsedRows() {
    return collapsed;
  }
}

package dev.imgsearch.cli.render;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.cli.duplicates.DuplicateGroups;
import dev.imgsearch.cli.duplicates.DuplicateReport;

/** Near-duplicate groups as one JSON document. */
public final class DuplicatesJson {

  private DuplicatesJson() {}

  public static JsonObject of(DuplicateReport report) {
    JsonObject doc = new JsonObject();
    doc.addProperty("collection", report.collection());
    doc.addProperty("metric", report.metric().name());
    doc.addProperty("higherIsCloser", report.metric().higherIsCloser());
    doc.addProperty("threshold", report.threshold());
    doc.addProperty("rowsScanned", report.rowsScanned());
    JsonArray array = new JsonArray();
    for (DuplicateGroups.Group group : report.groups()) {
      JsonObject g = new JsonObject();
      g.addProperty("size", group.members().size());
      g.addProperty("sameContent", group.sameContent());
      if (!Float.isNaN(group.closest())) {
        g.addProperty("closestDistance", group.closest());
        g.addProperty("farthestDistance", group.farthest());
      }
      JsonArray members = new JsonArray();
      for (DuplicateGroups.Member m : group.members()) {
        JsonObject member = new JsonObject();
        member.addProperty("id", m.id());
        member.addProperty("path", m.path());
        member.addProperty("frameMs", m.frameMs());
        member.addProperty("contentSha256", m.contentSha256());
        members.add(member);
      }
      g.add("members", members);
      array.add(g);
    }
    doc.add("groups", array);
    return doc;
  }
}

package dev.imgsearch.cli.duplicates;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups of near-identical rows: rows are linked when they hold the same bytes (content hash) or
 * when their vectors are within the threshold, and a group is everything linked directly or through
 * others (union-find).
 */
public final class DuplicateGroups {

  /** A stored row, as much of it as a group listing needs. */
  public record Member(String id, String path, long frameMs, String contentSha256) {}

  /**
   * One group, its members sorted by path.
   *
   * @param sameContent every member has the same content hash
   * @param closest best distance of a vector link in the group, NaN if all links are by content
   * @param farthest worst distance of a vector link in the group, NaN if all links are by content
   */
  public record Group(List<Member> members, boolean sameContent, float closest, float farthest) {}

  private record Link(int a, int b, float distance) {}

  private final boolean higherIsCloser;
  private final Map<String, Integer> indexById = new HashMap<>();
  private final Map<String, Integer> firstBySha = new HashMap<>();
  private final List<Member> members = new ArrayList<>();
  private final List<Link> links = new ArrayList<>();
  private int[] parent = new int[64];

  public DuplicateGroups(boolean higherIsCloser) {
    this.higherIsCloser = higherIsCloser;
  }

  /** Adds a row once (later calls with the same id are ignored); same bytes link at once. */
  public int add(Member member) {
    Integer known = indexById.get(member.id());
    if (known != null) {
      return known;
    }
    int index = members.size();
    members.add(member);
    indexById.put(member.id(), index);
    if (index >= parent.length) {
      parent = java.util.Arrays.copyOf(parent, parent.length * 2);
    }
    parent[index] = index;
    Integer same = firstBySha.putIfAbsent(member.contentSha256(), index);
    if (same != null) {
      union(same, index);
    }
    return index;
  }

  /** Links two rows whose vectors are within the threshold. */
  public void linkSimilar(Member a, Member b, float distance) {
    int ia = add(a);
    int ib = add(b);
    if (ia == ib) {
      return;
    }
    links.add(new Link(ia, ib, distance));
    union(ia, ib);
  }

  int size() {
    return members.size();
  }

  /** Groups of two or more, largest first, then by first path. */
  public List<Group> groups() {
    Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
    for (int i = 0; i < members.size(); i++) {
      byRoot.computeIfAbsent(find(i), r -> new ArrayList<>()).add(i);
    }
    Map<Integer, float[]> range = new HashMap<>();
    for (Link link : links) {
      float[] r = range.computeIfAbsent(find(link.a()), x -> new float[] {Float.NaN, Float.NaN});
      r[0] = Float.isNaN(r[0]) || closer(link.distance(), r[0]) ? link.distance() : r[0];
      r[1] = Float.isNaN(r[1]) || closer(r[1], link.distance()) ? link.distance() : r[1];
    }
    List<Group> groups = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> e : byRoot.entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      List<Member> group =
          e.getValue().stream()
              .map(members::get)
              .sorted(Comparator.comparing(Member::path).thenComparingLong(Member::frameMs))
              .toList();
      boolean sameContent = group.stream().map(Member::contentSha256).distinct().count() == 1;
      float[] r = range.getOrDefault(e.getKey(), new float[] {Float.NaN, Float.NaN});
      groups.add(new Group(group, sameContent, r[0], r[1]));
    }
    groups.sort(
        Comparator.comparingInt((Group g) -> -g.members().size())
            .thenComparing(g -> g.members().get(0).path()));
    return groups;
  }

  private boolean closer(float a, float b) {
    return higherIsCloser ? a > b : a < b;
  }

  private int find(int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}

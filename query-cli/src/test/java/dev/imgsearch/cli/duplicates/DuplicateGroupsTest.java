package dev.imgsearch.cli.duplicates;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DuplicateGroupsTest {

  private static DuplicateGroups.Member m(String id, String sha) {
    return new DuplicateGroups.Member(id, "/img/" + id + ".jpg", -1, sha.repeat(64));
  }

  @Test
  void sameBytesGroupWithoutAnyVectorLink() {
    DuplicateGroups groups = new DuplicateGroups(true);
    groups.add(m("a", "1"));
    groups.add(m("b", "2"));
    groups.add(m("c", "1"));
    List<DuplicateGroups.Group> found = groups.groups();
    assertThat(found).hasSize(1);
    assertThat(found.get(0).sameContent()).isTrue();
    assertThat(found.get(0).members())
        .extracting(DuplicateGroups.Member::id)
        .containsExactly("a", "c");
    assertThat(found.get(0).closest()).isNaN();
  }

  @Test
  void similarLinksAreTransitiveAndKeepTheirRange() {
    DuplicateGroups groups = new DuplicateGroups(true);
    groups.linkSimilar(m("a", "1"), m("b", "2"), 0.99f);
    groups.linkSimilar(m("b", "2"), m("c", "3"), 0.985f);
    groups.linkSimilar(m("x", "4"), m("y", "5"), 0.999f);
    groups.add(m("lonely", "6"));
    List<DuplicateGroups.Group> found = groups.groups();
    assertThat(found).hasSize(2);
    assertThat(found.get(0).members())
        .extracting(DuplicateGroups.Member::id)
        .containsExactly("a", "b", "c");
    assertThat(found.get(0).closest()).isEqualTo(0.99f);
    assertThat(found.get(0).farthest()).isEqualTo(0.985f);
    assertThat(found.get(0).sameContent()).isFalse();
    assertThat(found.get(1).members()).hasSize(2);
  }

  @Test
  void lowerIsCloserForL2() {
    DuplicateGroups groups = new DuplicateGroups(false);
    groups.linkSimilar(m("a", "1"), m("b", "2"), 0.01f);
    groups.linkSimilar(m("a", "1"), m("c", "3"), 0.03f);
    DuplicateGroups.Group g = groups.groups().get(0);
    assertThat(g.closest()).isEqualTo(0.01f);
    assertThat(g.farthest()).isEqualTo(0.03f);
  }
}

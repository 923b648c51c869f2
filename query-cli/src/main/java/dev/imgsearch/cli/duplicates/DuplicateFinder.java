package dev.imgsearch.cli.duplicates;

import dev.imgsearch.core.store.ImageFields;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SearchHit;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds groups of near-identical rows: every row is read once (query iterator, a page at a time)
 * and its nearest neighbours are searched in Milvus, so the collection is never compared all
 * against all in memory. Rows with the same bytes or whose vectors are within the threshold are
 * linked ({@link DuplicateGroups}).
 */
public final class DuplicateFinder {

  /** Rows read and searched at a time. */
  static final int PAGE = 256;

  private DuplicateFinder() {}

  /**
   * @param neighbors nearest neighbours checked per row
   * @param threshold similarity of at least this (COSINE, IP) or distance of at most this (L2)
   */
  public static DuplicateReport find(MilvusImageStore store, int neighbors, float threshold) {
    MetricType metric = store.spec().metric();
    DuplicateGroups groups = new DuplicateGroups(metric.higherIsCloser());
    long[] scanned = {0};
    SearchRequest request =
        SearchRequest.topK(neighbors + 1)
            .withOutputFields(
                List.of(ImageFields.FILEPATH, ImageFields.FRAME_MS, ImageFields.CONTENT_SHA256));
    store.scan(
        PAGE,
        page -> {
          scanned[0] += page.size();
          List<float[]> vectors = new ArrayList<>(page.size());
          for (ImageRecord row : page) {
            groups.add(member(row));
            vectors.add(row.vector());
          }
          SearchResults results = store.search(vectors, request);
          for (int i = 0; i < page.size(); i++) {
            DuplicateGroups.Member self = member(page.get(i));
            for (SearchHit hit : results.hits().get(i)) {
              if (hit.id().equals(self.id()) || !within(metric, hit.distance(), threshold)) {
                continue;
              }
              groups.linkSimilar(
                  self,
                  new DuplicateGroups.Member(
                      hit.id(), hit.filepath(), hit.frameMs(), hit.contentSha256()),
                  hit.distance());
            }
          }
        });
    return new DuplicateReport(
        store.config().collection(), metric, threshold, scanned[0], groups.groups());
  }

  static boolean within(MetricType metric, float distance, float limit) {
    return metric.higherIsCloser() ? distance >= limit : distance <= limit;
  }

  private static DuplicateGroups.Member member(ImageRecord row) {
    return new DuplicateGroups.Member(row.id(), row.filepath(), row.frameMs(), row.contentSha256());
  }
}

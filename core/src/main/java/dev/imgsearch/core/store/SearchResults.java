package dev.imgsearch.core.store;

import java.time.Duration;
import java.util.List;

/**
 * Hits per query vector, in query order, each list closest first; and the wall time of the search
 * call (retries included).
 */
public record SearchResults(List<List<SearchHit>> hits, Duration took) {

  public SearchResults {
    hits = hits.stream().map(List::copyOf).toList();
  }
}

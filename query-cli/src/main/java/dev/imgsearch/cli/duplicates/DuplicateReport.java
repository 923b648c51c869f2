package dev.imgsearch.cli.duplicates;

import dev.imgsearch.core.store.MetricType;
import java.util.List;

/**
 * The near-duplicate groups of a collection.
 *
 * @param threshold the closeness that made a near-duplicate, in the collection's metric
 * @param rowsScanned rows read
 */
public record DuplicateReport(
    String collection,
    MetricType metric,
    float threshold,
    long rowsScanned,
    List<DuplicateGroups.Group> groups) {}

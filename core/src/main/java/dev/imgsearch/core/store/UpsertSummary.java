package dev.imgsearch.core.store;

import java.time.Duration;

/** What one {@link MilvusImageStore#upsert} did: rows written, calls made, wall time. */
public record UpsertSummary(int rows, int batches, Duration took) {}

package dev.imgsearch.cli.search;

import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.SearchResults;
import java.util.List;

/**
 * What one search found, for every output form ({@code dev.imgsearch.cli.render}).
 *
 * @param queries the query images, in argument order
 * @param results per query, its hits, closest first
 * @param embedNanos time of preprocessing and the one batched embed call
 * @param collection the collection's name
 * @param spec the collection's dimension, metric and index
 * @param modelId the encoder's id ({@code name@hash})
 * @param provider where inference ran
 */
public record SearchReport(
    List<QueryImages.Decoded> queries,
    SearchResults results,
    long embedNanos,
    String collection,
    CollectionSpec spec,
    String modelId,
    String provider) {}

package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far two collections of the same images, embedded by two copies of a model (fp32 and int8),
 * agree: the cosine of each image's two vectors, and how many of each image's 10 nearest neighbours
 * under the first copy the second finds too (recall@10), brute force over the rows both hold. For
 * bench.sh's quality line beside the int8 speed; retrieval quality on a labelled set is
 * bench/precision_report.py's.
 *
 * <p>Usage: {@code CollectionAgreement MILVUS_URI REFERENCE_COLLECTION OTHER_COLLECTION}
 */
public final class CollectionAgreement {

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: CollectionAgreement MILVUS_URI REFERENCE OTHER");
      System.exit(2);
    }
    Map<String, float[]> reference = vectors(args[0], args[1]);
    Map<String, float[]> other = vectors(args[0], args[2]);
    List<String> ids = new ArrayList<>(reference.keySet());
    ids.retainAll(other.keySet());
    ids.sort(null);
    if (ids.size() < 11) {
      throw new IllegalStateException("only " + ids.size() + " rows in both collections");
    }
    double sum = 0;
    double min = 1;
    for (String id : ids) {
      double c = dot(reference.get(id), other.get(id));
      sum += c;
      min = Math.min(min, c);
    }
    long found = 0;
    int top1 = 0;
    for (String id : ids) {
      List<String> a = nearest(id, ids, reference, 10);
      List<String> b = nearest(id, ids, other, 10);
      found += a.stream().filter(b::contains).count();
      top1 += a.get(0).equals(b.get(0)) ? 1 : 0;
    }
    System.out.printf(
        "RESULT rows=%d cosine_mean=%.5f cosine_min=%.5f recall10=%.3f top1_same=%d%n",
        ids.size(), sum / ids.size(), min, found / (10.0 * ids.size()), top1);
  }

  private static Map<String, float[]> vectors(String uri, String collection) {
    Map<String, float[]> out = new HashMap<>();
    MilvusConfig config = MilvusConfig.defaults().withUri(uri).withCollection(collection);
    try (MilvusImageStore store = MilvusImageStore.openExisting(config, StoreOptions.defaults())) {
      store.scan(256, page -> page.forEach((ImageRecord r) -> out.put(r.id(), r.vector())));
    }
    return out;
  }

  private static List<String> nearest(
      String self, List<String> ids, Map<String, float[]> vectors, int k) {
    float[] q = vectors.get(self);
    String[] others = ids.stream().filter(id -> !id.equals(self)).toArray(String[]::new);
    double[] score = new double[others.length];
    Integer[] order = new Integer[others.length];
    for (int i = 0; i < others.length; i++) {
      score[i] = dot(q, vectors.get(others[i]));
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(score[y], score[x]));
    List<String> top = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      top.add(others[order[i]]);
    }
    return top;
  }

  /** Cosine of two unit vectors (the job stores them L2-normalized). */
  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private CollectionAgreement() {}
}

package dev.imgsearch.core.store;

import java.util.List;

/** Field names and VARCHAR limits of the image collection. */
public final class ImageFields {
  public static final String ID = "id";
  public static final String FILEPATH = "filepath";
  public static final String VECTOR = "image_embedding";
  public static final String CONTENT_SHA256 = "content_sha256";
  public static final String SIZE_BYTES = "size_bytes";
  public static final String WIDTH = "width";
  public static final String HEIGHT = "height";
  public static final String MTIME_MS = "mtime_ms";
  public static final String MODEL = "model";
  public static final String INGESTED_AT_MS = "ingested_at_ms";
  public static final String FRAME_MS = "frame_ms";

  /** VARCHAR limits, in UTF-8 bytes as Milvus counts them. */
  public static final int ID_MAX_LENGTH = 64;

  public static final int FILEPATH_MAX_LENGTH = 1024;
  public static final int SHA256_MAX_LENGTH = 64;
  public static final int MODEL_MAX_LENGTH = 256;

  /** Every field except the vector: what searches return by default. */
  public static final List<String> METADATA =
      List.of(
          FILEPATH,
          CONTENT_SHA256,
          SIZE_BYTES,
          WIDTH,
          HEIGHT,
          MTIME_MS,
          MODEL,
          INGESTED_AT_MS,
          FRAME_MS);

  private ImageFields() {}
}

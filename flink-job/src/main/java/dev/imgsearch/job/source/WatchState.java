package dev.imgsearch.job.source;

import java.util.List;
import java.util.Map;

/**
 * The checkpoint of the watch source's enumerator: the files it tracks, those awaiting their delete
 * delay, the splits not yet handed to a reader, and the next split id (ids stay unique across
 * restores).
 */
public record WatchState(
    Map<String, FolderWatch.FileVersion> known,
    Map<String, Long> missingSince,
    List<WatchSplit> pending,
    long nextSplitId) {}

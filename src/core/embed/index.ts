export { computeEmbeddings } from './compute';
export type { ComputeEmbeddingsOptions, EmbeddingRun, SkippedSummary } from './compute';
export { cacheKey, checkpointHash, datasetFingerprint, defaultCacheDir, readCache, writeCache } from './cache';
export { embedItems } from './batches';
export { runEmbedWorker } from './runWorker';
export { embedWorkerCount, runEmbedWorkers } from './parallel';
export type { EmbedJob, ModelInfo, EmbedTimings } from './protocol';

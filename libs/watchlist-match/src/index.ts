/**
 * libs/watchlist-match — the matching code hub and edge share: ID-number HMAC, 1:N face search
 * (exact scan for small lists, usearch HNSW for large ones), template codec.
 */
export { FaceIndex, exactTopK, type FaceHit, type FaceIndexOptions, type GraphInfo } from './face-index.js';
export { buildGraphInWorker, hnswConfig, HNSW_BUILD_THREADS, HNSW_PARAMS, type BuiltGraph, type HnswParams } from './graph-builder.js';
export { TemplateStore } from './template-store.js';
export {
  WatchlistMatcher,
  fusedTemplates,
  isActive,
  type FaceMatch,
  type ListKind,
  type MatchEntry,
  type MatchSeverity,
  type MatcherOptions,
} from './watchlist-matcher.js';
export { idNumberHmac } from './id-number-hmac.js';
export { decodeTemplate, encodeTemplate } from './template-codec.js';

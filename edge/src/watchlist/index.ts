export { EdgeWatchlist, type EdgeWatchlistOptions } from './edge-watchlist.js';
export { WatchlistCacheStore } from './watchlist-cache.store.js';

// The network side of the vulnerability DB: what `db update` and `db status` use.
export { FetchSession, type FetchSessionOptions, type TransferProgress, type Validators } from './http.js';
export { progressToBar, type ProgressBar } from './progress.js';
export { checkUrl, DEFAULT_HTTP_LIMITS, type HttpLimits } from './request.js';
export { feedDir, readFeedState, type FeedStateFile } from './state.js';
export { updateFeeds, type FeedUpdateResult, type UpdateOptions, type UpdateProgress } from './update.js';

export { ApiError, NETWORK_ERROR } from './ApiError';
export * as api from './endpoints';
export type { HistoryPage } from './endpoints';

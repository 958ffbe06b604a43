export { ApiError, NETWORK_ERROR } from './ApiError';
export type { HistoryPage } from './endpoints';
export * as api from './endpoints';
export type { Ban, RoomPatch } from './governance';
export * as governanceApi from './governance';

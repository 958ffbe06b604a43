export { ApiError, NETWORK_ERROR } from './ApiError';
export * as accountApi from './account';
export type { HistoryPage, SecondFactor } from './endpoints';
export * as api from './endpoints';
export type { Ban, RoomPatch } from './governance';
export * as governanceApi from './governance';

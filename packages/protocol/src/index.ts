export * from './e2ee.js';
export * from './entities.js';
export * from './errors.js';
export * from './governance.js';
export * from './limits.js';
export * from './permissions.js';
export * from './rest.js';
export * from './ws.js';

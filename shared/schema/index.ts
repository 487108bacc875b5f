export * from './event.js';
export * from './incident.js';
export * from './alert.js';
export * from './deadletter.js';

export * from './tools.js';
export * from './run.js';
export * from './cli-server.js';
export * from './tshark.js';
export * from './portmapper.js';

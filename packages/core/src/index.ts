export * from './errors/index';
export * from './config/index';
export * from './metrics/index';

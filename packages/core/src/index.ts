export * from './config/index';
export * from './metrics/index';
export * from './schema/index';
export * from './trainer/index';
export * from './bundle/index';
export { CORE_VERSION } from './version';

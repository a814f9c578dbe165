export * from './errors/index';
export * from './config/index';

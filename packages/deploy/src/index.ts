/**
 * @kdap/deploy: serve model bundles over HTTP with the Azure ML inference contract
 * (`createScoringApp` for an application's own server, `startScoringServer` for `kdap serve`).
 */
export { createScoringApp } from './scoring/scoring-app';
export type { ScoringAppOptions } from './scoring/scoring-app';
export { loadModel } from './scoring/loaded-model';
export type { LoadedModel, LoadModelOptions } from './scoring/loaded-model';
export { startScoringServer } from './scoring/serve';
export type { ScoringServer, ScoringServerOptions } from './scoring/serve';

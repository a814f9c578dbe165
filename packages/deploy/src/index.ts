/**
 * @kdap/deploy: serve model bundles over HTTP with the Azure ML inference contract
 * (`createScoringApp` for an application's own server, `startScoringServer` for `kdap serve`,
 * `startContainerServer` for the scoring image) and deploy them to an Azure ML managed online
 * endpoint (`AzureMLDeployer`).
 */
export { createScoringApp } from './scoring/scoring-app';
export type { ScoringAppOptions } from './scoring/scoring-app';
export { loadModel } from './scoring/loaded-model';
export type { LoadedModel, LoadModelOptions } from './scoring/loaded-model';
export { startScoringServer } from './scoring/serve';
export type { ScoringServer, ScoringServerOptions } from './scoring/serve';
export { AzureMLDeployer } from './azure/azure-ml-deployer';
export type { AzureMLDeployerOptions, CreateEndpointOptions, DeployModelOptions, DeploymentInfo, DeployProgress, EndpointInfo, RegisteredModel, RegisterModelOptions, TestEndpointOptions } from './azure/azure-ml-deployer';
export { AZURE_SETTING_VARIABLES, resolveAzureSettings } from './azure/azure-settings';
export type { AzureSettings } from './azure/azure-settings';
export { CONTAINER_ROUTES, findBundles, startContainerServer } from './azure/container-server';
export { DEPLOYABLE_KINDS, SCORING_SCRIPTS, resolveModelKind } from './azure/model-kind';
export type { DeployableKind } from './azure/model-kind';
export type { ScoringResponse } from './azure/invoke-scoring-uri';

/**
 * Azure without Azure, for @kdap/deploy's and the CLI's tests: Azurite for the datastore, a TLS
 * stand-in for the Azure ML control plane (ARM) that runs the real scoring server as its
 * "deployment", and a test CA. A subpath of its own (`@kdap/test-support/azure`), so the other
 * tests do not load the Azure SDK.
 */
export { CONTAINER_ENTRY_SOURCE, startArmStandIn, type ArmStandIn } from './arm-stand-in';
export { startAzureTestBed, type AzureTestBed } from './azure-test-bed';
export { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteBlob, type AzuriteBlob } from './azurite';
export { makeTestCertificates, type TestCertificates } from './test-ca';

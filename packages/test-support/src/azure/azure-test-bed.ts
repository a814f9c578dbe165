import { Agent } from 'node:https';
import { AZURITE_KEY, startAzuriteBlob, type AzuriteBlob } from './azurite';
import { startArmStandIn, type ArmStandIn } from './arm-stand-in';
import { makeTestCertificates } from './test-ca';

/** Azurite + the ARM stand-in over TLS from a fresh test CA, and an agent that trusts that CA. */
export interface AzureTestBed {
  azurite: AzuriteBlob;
  arm: ArmStandIn;
  /** Give it to AzureMLDeployer's `agent` option: it trusts the test CA only. */
  agent: Agent;
  /** Every key the bed handed out (storage account, endpoint keys), for "never printed" checks. */
  secrets(): string[];
  close(): Promise<void>;
}

export async function startAzureTestBed(settings: { subscriptionId: string; resourceGroup: string; workspace: string; region: string }, validTokens: readonly string[]): Promise<AzureTestBed> {
  const certificates = makeTestCertificates();
  const agent = new Agent({ ca: certificates.ca, keepAlive: true });
  const azurite = await startAzuriteBlob();
  const arm = await startArmStandIn({ certificates, blobUrl: azurite.url, ...settings, validTokens });
  return {
    azurite,
    arm,
    agent,
    secrets: () => [AZURITE_KEY, ...[...arm.endpointKeys.values()].flatMap((k) => [k.primaryKey, k.secondaryKey])],
    close: async () => {
      await arm.close();
      await azurite.stop();
      agent.destroy();
    },
  };
}

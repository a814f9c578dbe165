import { DeploymentError, isKdapError } from '@kdap/errors';

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

const SIGN_IN = "Sign in again ('az login'), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal, or run where a managed identity is assigned (DefaultAzureCredential tries each).";

/** What to do about an Azure error code, when there is something better than retrying later. */
const ADVICE: Readonly<Record<string, string>> = {
  ExpiredAuthenticationToken: `The Azure access token has expired. ${SIGN_IN}`,
  InvalidAuthenticationToken: `Azure refused the access token. ${SIGN_IN}`,
  AuthorizationFailed: 'The signed-in identity lacks permission on this workspace: ask for the AzureML Data Scientist role (or Contributor) on the resource group.',
  ResourceGroupNotFound: 'Check AZURE_RESOURCE_GROUP and AZURE_SUBSCRIPTION_ID.',
  ResourceNotFound: 'Check AZURE_ML_WORKSPACE, AZURE_RESOURCE_GROUP and the name given.',
  Conflict: 'Another operation on this resource is still running: wait for it to finish (the deployer does so once) and run again.',
  QuotaExceeded: 'The subscription has no quota left for this instance type in this region: pick a smaller instanceType or ask for more quota.',
};

type RestErrorLike = Error & { statusCode?: number; code?: string };

/**
 * Turns whatever an Azure SDK call threw into a DeploymentError naming the step, the HTTP status
 * and Azure's code, with what to do. The SDK's error (which holds the request) is not kept as the
 * cause, so nothing that passed through a request can reach a log line.
 */
export function deploymentError(operation: string, error: unknown): DeploymentError {
  if (isKdapError(error)) return error instanceof DeploymentError ? error : new DeploymentError(operation, (error as Error).message, { cause: error });
  const e = error as RestErrorLike;
  if (e instanceof Error && CREDENTIAL_ERRORS.has(e.name)) {
    return new DeploymentError(operation, `${operation}: no usable Azure credentials (${e.name}: ${firstLine(e.message)}). ${SIGN_IN}`, { serviceCode: e.name, cause: e });
  }
  if (e instanceof Error && e.name === 'RestError') {
    const status = e.statusCode;
    const code = e.code ?? (status === 401 ? 'InvalidAuthenticationToken' : undefined);
    const advice = (code !== undefined ? ADVICE[code] : undefined) ?? (status === 429 ? 'Azure is throttling this subscription: run again in a minute.' : status !== undefined && status >= 500 ? 'Azure had a server error: run again; the deployer picks up where it stopped.' : '');
    const what = `${operation} failed: Azure answered ${status ?? 'with no status'}${code ? ` ${code}` : ''}: ${firstLine(e.message)}`;
    return new DeploymentError(operation, advice ? `${what}. ${advice}` : `${what}.`, { ...(status !== undefined ? { status } : {}), ...(code !== undefined ? { serviceCode: code } : {}) });
  }
  const message = e instanceof Error ? e.message : String(error);
  return new DeploymentError(operation, `${operation} failed: ${firstLine(message)}`, { cause: error });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/\.$/, '').slice(0, 500);
}

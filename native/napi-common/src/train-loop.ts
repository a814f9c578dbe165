import { withCallSite, type CallSite } from './errors';

/**
 * A training loop running in native code, as both bindings' `boosterTrainAsync` return it
 * (`kdap::TrainLoop` in napi_common.h): `done` resolves with the rounds trained; `stop()` ends
 * training before the next round.
 */
export interface NativeTrainRun<Predictions = never> {
  done: Promise<number>;
  stop(): void;
  /**
   * Present when the loop copies best-round predictions (`kdap::BestRoundPredictions`): the copy
   * of 0-based round `iter` (one array per data set), or undefined when no copy of that round is
   * held. Releases every copy: call it once, when `done` has settled (with -1 to only release).
   */
  takeBestPredictions?(iter: number): Predictions[] | undefined;
}

/**
 * Waits for a native training loop, stopping it before its next round when `signal` aborts (so an
 * abort lands within one round). Resolves with the rounds trained; failures carry `callSite`.
 */
export async function awaitTrainLoop(run: NativeTrainRun<unknown>, signal: AbortSignal | undefined, callSite: CallSite): Promise<number> {
  const onAbort = (): void => run.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await withCallSite(run.done, callSite);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

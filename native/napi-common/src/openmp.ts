/**
 * Loads a native addon that links OpenMP (libgomp) with spin settings fit for a Node process.
 *
 * libgomp counts the process's initial thread (in Node, the JS thread) among its threads. When
 * OpenMP teams run on more than one thread of the process (both KDAP addons loaded, XGBoost's
 * in-place predictions on pool threads, or any other OpenMP user), it sees more threads than
 * CPUs and "throttles" idle spinning to 100 spins: team threads fall asleep between parallel
 * regions and every region pays a futex wake-up (LightGBM training on 2 cores measured 2.5x
 * Python's time that way). The addons avoid the extra team themselves by running all OpenMP work
 * on one executor thread; this is the guard for the cases they cannot control.
 * OMP_WAIT_POLICY=active with GOMP_SPINCOUNT=300000 keeps libgomp's usual spin (300,000, about
 * 3 ms) when not oversubscribed and raises the throttled spin to 1,000. libgomp reads these once,
 * when it is loaded, so they are set only around the first load and only when the user has set
 * neither; the process environment is restored afterwards.
 */
export function loadWithOpenMPDefaults<T>(load: () => T): T {
  const env = process.env;
  const untouched = env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined;
  if (untouched) {
    env.OMP_WAIT_POLICY = 'active';
    env.GOMP_SPINCOUNT = '300000';
  }
  try {
    return load();
  } finally {
    if (untouched) {
      delete env.OMP_WAIT_POLICY;
      delete env.GOMP_SPINCOUNT;
    }
  }
}

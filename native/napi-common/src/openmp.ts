/**
 * Loads a native addon that links OpenMP (libgomp) with spin settings fit for a Node process.
 *
 * libgomp counts the process's initial thread among the threads it manages. In Python the
 * initial thread runs the OpenMP team itself; in Node it is the JS thread, and the team runs on
 * another thread, so with num_threads = cores libgomp sees more threads than CPUs and "throttles"
 * idle spinning to 100 spins. Team threads then fall asleep between parallel regions and every
 * region pays a futex wake-up: LightGBM training on 2 cores measured 2.5x slower than Python.
 * OMP_WAIT_POLICY=active with GOMP_SPINCOUNT=300000 keeps libgomp's usual spin (300,000, about
 * 3 ms) when not oversubscribed and raises the throttled spin to 1,000. libgomp reads these
 * once, when it is loaded, so they are set only around the first load and only when the user has
 * set neither; the process environment is restored afterwards.
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

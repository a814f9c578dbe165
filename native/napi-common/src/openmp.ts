import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

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

/** Rows below which one thread fits as fast as a team (waking a team costs more than it saves). */
export const SINGLE_THREAD_ROWS = 1000;

/**
 * Threads of this process that are running or waiting for a CPU right now (state R in
 * /proc/self/task/<tid>/stat), the calling thread included. Undefined where /proc is absent.
 */
export function ownRunnableThreads(): number | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  let running = 0;
  for (const tid of tasks) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // The state follows the command name, which is in parentheses and may itself hold ') '.
    if (stat.charAt(stat.lastIndexOf(')') + 2) === 'R') running++;
  }
  return Math.max(1, running);
}

/**
 * Runnable tasks of other processes, right now: the kernel's instantaneous count of runnable
 * tasks (`/proc/loadavg`, 4th field) less this process's own runnable threads: the reader, and
 * V8's garbage-collection helpers, which run right after the allocations that precede a fit. At
 * the moment a budget fit chose its threads, 2-5 of its own threads were often runnable; counted
 * as competitors, they made the default pick one thread on a nearly idle machine (the threads
 * benchmark: 1.29x the time of two threads at 100,000 rows). The median of 5 reads 1 ms apart. The 1-minute load average lags a competing process by about a
 * minute, too slow for a fit that starts seconds after it. Undefined where /proc is absent (not Linux).
 */
export function otherRunnableTasks(
  readLoadavg: () => string = () => readFileSync('/proc/loadavg', 'utf8'),
  readOwnRunnable: () => number | undefined = ownRunnableThreads,
): number | undefined {
  const samples: number[] = [];
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let k = 0; k < 5; k++) {
    let text: string;
    try {
      text = readLoadavg();
    } catch {
      return undefined;
    }
    const running = Number(text.split(' ')[3]?.split('/')[0]);
    if (!Number.isFinite(running)) return undefined;
    samples.push(Math.max(0, running - (readOwnRunnable() ?? 1)));
    if (k < 4) Atomics.wait(pause, 0, 0, 1);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

/**
 * The default number of OpenMP threads for a fit when the user asked for "all cores" (n_jobs -1):
 * the cores no other task is running on (at least one), and one thread below SINGLE_THREAD_ROWS
 * rows. An OpenMP team larger than the idle cores does not just share them: its members wait on
 * each other at every parallel region while one is descheduled, and a fit that takes 1.3 s on one
 * thread took 4.2 s on two next to one competing process (17-50 s under heavier load). Where the
 * count of runnable tasks cannot be read, all cores.
 */
export function defaultThreadCount(options: { rows?: number; cores?: number; others?: number } = {}): number {
  const cores = options.cores ?? availableParallelism();
  if (options.rows !== undefined && options.rows < SINGLE_THREAD_ROWS) return 1;
  const others = options.others ?? otherRunnableTasks();
  if (others === undefined) return cores;
  return Math.max(1, Math.min(cores, Math.round(cores - others)));
}

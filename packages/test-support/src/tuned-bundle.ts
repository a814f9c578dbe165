import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Saves a tuned trainer's bundle to a temporary directory and returns its `state/tuning.json` (the study
 * summary a model's tune() attaches), removing the directory afterwards.
 */
export async function savedTuningSummary(trainer: { save(dir: string): Promise<unknown> }): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'kdap-tuned-bundle-'));
  try {
    await trainer.save(join(dir, 'bundle'));
    return JSON.parse(readFileSync(join(dir, 'bundle', 'state', 'tuning.json'), 'utf8')) as unknown;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

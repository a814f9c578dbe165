import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest ancestor of this file holding scripts/python-ref.sh, so the
 * answer is the same from src/, a build output or a worktree.
 */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'python-ref.sh'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

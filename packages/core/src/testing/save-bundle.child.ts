/**
 * Child process for the crash tests: saves a bundle to argv[2] and dies mid-save.
 *   stream        the model file never ends; prints "writing" once the temporary copy holds data,
 *                 then keeps writing slowly until the parent SIGKILLs it.
 *   stage:<name>  SIGKILLs itself at that point of saveBundle (see SaveStage).
 */
import { saveBundle, type SaveStage } from '../bundle/save-bundle';
import { sampleBundle } from './sample-bundle';

const [dir, mode] = process.argv.slice(2) as [string, string];
// Never outlive a parent that failed to kill us (and never fill the disk).
setTimeout(() => process.exit(3), 20_000);

async function* endlessModel(): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(0x61);
  for (let i = 0; i < 4; i++) yield chunk;
  process.stdout.write('writing\n');
  for (let i = 0; i < 1000; i++) {
    await new Promise((r) => setTimeout(r, 20));
    yield chunk;
  }
}

async function main(): Promise<void> {
  if (mode === 'stream') {
    await saveBundle(dir, sampleBundle('new', 2, endlessModel()));
  } else {
    const stage = mode.slice('stage:'.length) as SaveStage;
    await saveBundle(dir, sampleBundle('new', 2), {
      onStage: (s) => {
        if (s === stage) process.kill(process.pid, 'SIGKILL');
      },
    });
  }
  process.stdout.write('finished\n');
}

void main();

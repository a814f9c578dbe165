/**
 * The scoring image's entry point (the Dockerfile's CMD runs its build, dist/container-main.js):
 * serves the bundles mounted at AZUREML_MODEL_DIR until SIGTERM, then stops gracefully. The
 * tests start this same file.
 */
import { dispositionOf } from '@kdap/errors';
import { startContainerServer } from './container-server';

startContainerServer(process.env).then(
  (server) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'scoring server did not start', err: { code: dispositionOf(error).code, message: (error as Error).message } })}\n`);
    process.exit(dispositionOf(error).exitCode);
  },
);

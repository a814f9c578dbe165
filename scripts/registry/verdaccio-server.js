// Runs a Verdaccio registry from the configuration file given as the first argument on a free
// loopback port, and prints {"port": N} on one stdout line once it listens (so a test can start it
// without choosing a port that might be taken). Stops on SIGTERM/SIGINT.
'use strict';
const { runServer } = require('verdaccio');

async function main() {
  const configFile = process.argv[2];
  if (!configFile) {
    console.error('usage: node verdaccio-server.js <config.yaml>');
    process.exit(2);
  }
  const server = await runServer(configFile);
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(`verdaccio-server: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});

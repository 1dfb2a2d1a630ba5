#!/usr/bin/env node
// A local Cosmos DB NoSQL protocol server for the tests, on loopback only.
//
//   node launcher.js [--port N]    (N = 0, the default, picks a free port)
//
// Prints the chosen port alone on the first line of stdout once it listens,
// so a caller can read it and connect. Stops cleanly on SIGTERM or SIGINT.
//
// Why not the package's own CLI: it answers every request with
// "connection: close", so each request pays a new TCP + TLS handshake; with
// keep-alive the same client is about 15 times faster.
"use strict";

const { createHttpsServer } = require("@vercel/cosmosdb-server");

const HOST = "127.0.0.1";
// Longer than any pause between a client's requests in the tests, so idle
// pooled connections are not closed under the client's feet.
const KEEP_ALIVE_MS = 60_000;

function parsePort(argv) {
  const index = argv.indexOf("--port");
  if (index === -1) return 0;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`launcher: --port needs an integer from 0 to 65535, got ${argv[index + 1]}`);
    process.exit(2);
  }
  return port;
}

const server = createHttpsServer({ keepAlive: true });
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.headersTimeout = KEEP_ALIVE_MS + 1_000;

server.on("error", (error) => {
  console.error(`launcher: ${error.message}`);
  process.exit(1);
});

server.listen(parsePort(process.argv.slice(2)), HOST, () => {
  process.stdout.write(`${server.address().port}\n`);
});

function stop() {
  // Idle keep-alive connections would hold close() open; drop them.
  server.close(() => process.exit(0));
  server.closeAllConnections();
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);

// SPDX-License-Identifier: GPL-3.0-or-later
//
// Peer for bench/: the broadcast server people write with Node's `ws` (8.x).
// POST /pub/<board> with a card move; every WebSocket on /sub/<board> gets it.
// Written the way the ws README broadcasts, at its best: the payload is
// turned into one Buffer and that Buffer is sent to every client, with
// per-message deflate off (as the rest of the suite).
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const boards = new Map();

function readBody (req, done) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
}

const server = http.createServer((req, res) => {
  const m = req.url.match(/^\/pub\/([^/?]+)/);
  if (req.method === 'POST' && m) {
    readBody(req, (body) => {
      const subs = boards.get(m[1]);
      let n = 0;
      if (subs) {
        for (const ws of subs) {
          ws.send(body, { binary: false });
          n++;
        }
      }
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(`{"subscribers":${n}}`);
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const m = req.url.match(/^\/sub\/([^/?]+)/);
  if (!m) {
    ws.close(1008);
    return;
  }
  const board = m[1];
  let subs = boards.get(board);
  if (!subs) {
    subs = new Set();
    boards.set(board, subs);
  }
  subs.add(ws);
  ws.on('close', () => subs.delete(ws));
  ws.send('{"type":"hello"}');
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', 4096, () => {
  const a = server.address();
  console.log(`Listening on http://${a.address}:${a.port}`);
});

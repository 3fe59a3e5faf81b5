// SPDX-License-Identifier: GPL-3.0-or-later
//
// Peer for bench/: the same broadcast on socket.io (4.8), WebSocket transport
// only, per-message deflate off. A client joins the room of the board named
// in its handshake query; POST /pub/<board> emits the card move to the room.
// Connection-state recovery is on, as a team would enable it to catch up
// after a reconnect (the resync scenario compares it with Tack's replay).
'use strict';
const http = require('http');
const { Server } = require('socket.io');

function readBody (req, done) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
}

const server = http.createServer((req, res) => {
  const m = req.url.match(/^\/pub\/([^/?]+)/);
  if (req.method === 'POST' && m) {
    readBody(req, (body) => {
      let move;
      try {
        move = JSON.parse(body.toString());
      } catch (e) {
        res.writeHead(400);
        res.end();
        return;
      }
      io.to(m[1]).emit('move', move);
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    return;
  }
  if (!req.url.startsWith('/socket.io/')) {
    res.writeHead(404);
    res.end();
  }
});

const io = new Server(server, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000 },
});

io.on('connection', (socket) => {
  const board = socket.handshake.query.board;
  if (typeof board !== 'string') {
    socket.disconnect(true);
    return;
  }
  socket.join(board);
  socket.emit('hello', {});
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', 4096, () => {
  const a = server.address();
  console.log(`Listening on http://${a.address}:${a.port}`);
});

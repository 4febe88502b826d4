// WebTorrent's tracker (npm bittorrent-tracker), WebSocket only, as the signaling benchmark's anchor.
//   node bench/anchors/wt-tracker.mjs [PORT]     prints "listening PORT" when ready
import Server from 'bittorrent-tracker/server';

const server = new Server({ udp: false, http: false, ws: true, stats: false, trustProxy: false });
server.on('error', (err) => { console.error('tracker error:', err.message); });
server.on('warning', () => {});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.ws.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

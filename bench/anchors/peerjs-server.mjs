// The PeerJS server (npm peer) as the signaling benchmark's anchor.
//   node bench/anchors/peerjs-server.mjs [PORT]  prints "listening PORT" when ready
// concurrent_limit is raised from its default 5000 so the 10k-peer measurement can connect.
import { PeerServer } from 'peer';

const port = Number(process.argv[2] ?? 0);
const server = PeerServer({ port, host: '127.0.0.1', path: '/', concurrent_limit: 1000000 }, (srv) => {
  console.log(`listening ${srv.address().port}`);
});
server.on('error', (err) => { console.error('peer server error:', err.message); });
process.on('SIGTERM', () => process.exit(0));

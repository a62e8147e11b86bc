import { Aedes } from 'aedes';
import { createServer } from 'node:net';

/** A bare aedes broker in its own process, for measuring the broker alone (bench:ingest). */
const port = Number(process.argv[2] ?? 0);
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));

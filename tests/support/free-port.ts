import net from 'node:net';

/**
 * Ports below Linux's ephemeral range (32768-60999 by default): the kernel never hands one of them to an outgoing
 * connection, which is what took a port that `listen(0)` had just reported free (the test dev server then failed
 * to bind it).
 */
const LOW = 20_000;
const HIGH = 32_000;
const ATTEMPTS = 50;

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await tryListen(LOW + Math.floor(Math.random() * (HIGH - LOW)));
    if (port !== undefined) return port;
  }
  const any = await tryListen(0);
  if (any === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return any;
}

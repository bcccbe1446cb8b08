/**
 * A TCP proxy on loopback (in front of Temporal's gRPC port, for the chaos run) that can blackhole its
 * connections: no byte moves either way and new connections go nowhere, as when packets are dropped. Reads
 * are paused, not buffered, so TCP's own flow control holds the data back.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  /** 127.0.0.1:<port> */
  readonly address: string;
  readonly port: number;
  /**
   * From now on no byte is forwarded either way on existing connections (both sockets paused); new
   * connections are accepted but not connected onward until restore().
   */
  blackhole(): void;
  /** Resumes the connections and connects the pending ones onward. */
  restore(): void;
  readonly blackholed: boolean;
  /** Client connections open now, connected onward or waiting for a restore. */
  connections(): number;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** One direction of a connection: what it carries stops while blackholed or while the far side is full. */
interface Flow {
  from: Socket;
  to: Socket;
  /** Waiting for `to` to drain. */
  full: boolean;
}

interface Connection {
  client: Socket;
  upstream?: Socket;
  flows: Flow[];
}

export async function startTcpProxy(options: {
  target: { host: string; port: number };
  port?: number;
}): Promise<TcpProxy> {
  const connections = new Set<Connection>();
  let blackholed = false;

  function resume(flow: Flow): void {
    if (!blackholed && !flow.full) flow.from.resume();
  }

  function carry(from: Socket, to: Socket): Flow {
    const flow: Flow = { from, to, full: false };
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      flow.full = true;
      from.pause();
      to.once('drain', () => {
        flow.full = false;
        resume(flow);
      });
    });
    // 'end' only comes once all data was read, and none is read while blackholed: it keeps the order.
    from.once('end', () => to.end());
    return flow;
  }

  function connectOnward(connection: Connection): void {
    const { client } = connection;
    if (client.destroyed) return;
    const upstream = net.connect({ ...options.target, allowHalfOpen: true });
    upstream.pause(); // paused before its 'data' listener, so that attaching it does not start the flow
    connection.upstream = upstream;
    upstream.on('error', () => client.destroy()); // target down or reset: the client is cut off too
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('connect', () => {
      connection.flows = [carry(client, upstream), carry(upstream, client)];
      for (const flow of connection.flows) resume(flow);
    });
  }

  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    const connection: Connection = { client, flows: [] };
    connections.add(connection);
    client.on('error', () => {}); // a reset: 'close' follows
    client.once('close', () => connections.delete(connection));
    if (!blackholed) connectOnward(connection);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    port,
    blackhole() {
      blackholed = true;
      for (const { client, upstream } of connections) {
        client.pause();
        upstream?.pause();
      }
    },
    restore() {
      blackholed = false;
      for (const connection of connections) {
        if (!connection.upstream) connectOnward(connection);
        else for (const flow of connection.flows) resume(flow);
      }
    },
    get blackholed() {
      return blackholed;
    },
    connections() {
      return connections.size;
    },
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { client, upstream } of connections) {
        client.destroy();
        upstream?.destroy();
      }
      return closed;
    },
  };
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the test receiver got, with whether its Standard Webhooks signature verified. */
export interface Received {
  readonly id: string;
  readonly timestamp: string;
  readonly body: string;
  readonly verified: boolean;
  readonly answer: number | 'hang';
}

/**
 * For tests: a real webhook receiver on loopback. It verifies each request with the reference
 * Standard Webhooks library (`standardwebhooks`) and answers as `behave` says: a status, or `hang`
 * (holds the request without answering until the receiver closes). `delivered` is what a careful
 * receiver processes: each webhook-id once (a repeat is acknowledged and dropped).
 */
export async function startReceiver(
  secret: () => string,
  behave: (n: number, id: string) => number | 'hang' = () => 200,
): Promise<{
  url: string;
  received: Received[];
  delivered: Map<string, unknown>;
  hanging: () => number;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const delivered = new Map<string, unknown>();
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const h = req.headers as Record<string, string>;
      let verified = false;
      try {
        new Webhook(secret()).verify(body, h);
        verified = true;
      } catch {
        verified = false;
      }
      const id = h['webhook-id'] ?? '';
      const answer = verified ? behave(received.length, id) : 401;
      received.push({ id, timestamp: h['webhook-timestamp'] ?? '', body, verified, answer });
      if (answer === 'hang') {
        held.push(res);
        return;
      }
      if (answer >= 200 && answer < 300 && !delivered.has(id)) delivered.set(id, JSON.parse(body));
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    delivered,
    hanging: () => held.length,
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

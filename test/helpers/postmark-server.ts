/**
 * A real HTTP server on 127.0.0.1 answering the two Postmark calls `remediate --verify` makes,
 * in Postmark's shapes:
 *   GET /server                      X-Postmark-Server-Token   200 server JSON (Name, ID, ApiTokens…)
 *   GET /servers?count=1&offset=0    X-Postmark-Account-Token  200 {TotalCount, Servers: [...]}
 * Each token is given a behaviour: live, revoked (401 with ErrorCode 10), another status, a 401
 * with another error code, or hang (never answers: a timeout). An unknown token is revoked, as
 * Postmark answers a bad token; a request without the header gets 422. Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'live'; name: string; id: number }
  | { kind: 'revoked' }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'error-code'; code: number }
  | { kind: 'redirect'; location: string }
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface PostmarkServer {
  url: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

function answer(res: ServerResponse, b: Behaviour | undefined, token: string, path: '/server' | '/servers'): void {
  const behaviour = b ?? { kind: 'revoked' };
  switch (behaviour.kind) {
    case 'live': {
      // The real answer echoes the server's live tokens: the client must never log or keep it.
      const server = {
        ID: behaviour.id,
        Name: behaviour.name,
        ApiTokens: [token, '00000000-0000-4000-8000-000000000000'],
        ServerLink: `https://account.postmarkapp.com/servers/${behaviour.id}/overview`,
        Color: 'red',
        SmtpApiActivated: true,
        RawEmailEnabled: false,
        DeliveryType: 'Live',
        InboundAddress: `${behaviour.id}@inbound.postmarkapp.com`,
      };
      json(res, 200, path === '/server' ? server : { TotalCount: 1, Servers: [server] });
      return;
    }
    case 'revoked':
      json(res, 401, { ErrorCode: 10, Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.' });
      return;
    case 'error-code':
      json(res, 401, { ErrorCode: behaviour.code, Message: 'Something else.' });
      return;
    case 'status':
      res.writeHead(behaviour.status, { 'Content-Type': 'application/json' });
      res.end(behaviour.body ?? JSON.stringify({ ErrorCode: 0, Message: `status ${behaviour.status}`, Echo: token }));
      return;
    case 'redirect':
      res.writeHead(302, { Location: behaviour.location });
      res.end();
      return;
    case 'hang':
      return;
  }
}

export async function startPostmarkServer(tokens: Record<string, Behaviour>): Promise<PostmarkServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') return json(res, 405, { ErrorCode: 0, Message: 'method' });
    if (url.pathname === '/server') {
      const token = req.headers['x-postmark-server-token'];
      if (typeof token !== 'string') return json(res, 422, { ErrorCode: 0, Message: 'missing header' });
      return answer(res, tokens[token], token, '/server');
    }
    if (url.pathname === '/servers' && url.searchParams.get('count') === '1' && url.searchParams.get('offset') === '0') {
      const token = req.headers['x-postmark-account-token'];
      if (typeof token !== 'string') return json(res, 422, { ErrorCode: 0, Message: 'missing header' });
      return answer(res, tokens[token], token, '/servers');
    }
    json(res, 404, { ErrorCode: 0, Message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { HttpTransportError, httpRequest, systemUrl, transport } from '../../src/engine/system-url.js';

const sys = (config: Record<string, unknown>) => ({ id: 's', config });

describe('engine/system-url', () => {
  it('puts the url into url_pattern at %s, or appends it', () => {
    assert.equal(systemUrl(sys({ url_pattern: 'http://h/api/%s/entities' }), 'orders'), 'http://h/api/orders/entities');
    assert.equal(systemUrl(sys({ url_pattern: 'http://h/api/' }), 'orders'), 'http://h/api/orders');
  });
  it('appends the url to base_url unless it is absolute', () => {
    assert.equal(systemUrl(sys({ base_url: 'http://h/' }), 'a.json'), 'http://h/a.json');
    assert.equal(systemUrl(sys({ base_url: 'http://h/' }), 'https://other/x.json'), 'https://other/x.json');
    assert.equal(systemUrl(sys({ base_url: 'feeds/' }), 'file:/data/x.json'), 'file:/data/x.json');
  });
  it('is undefined for a system with neither', () => {
    assert.equal(systemUrl(sys({}), 'x'), undefined);
  });
});

describe('engine/system-url: connect_timeout', function () {
  this.timeout(20_000);
  afterEach(() => {
    delete transport.createConnection;
  });

  it('fails a request whose connection never completes after connect_timeout, naming it', async () => {
    // A socket that stays in its connecting state for good, as one does when nothing answers
    // its SYN; what the request writes meanwhile is queued until a 'connect' that never comes.
    const opened: net.Socket[] = [];
    transport.createConnection = () => {
      const socket = new net.Socket();
      (socket as { connecting: boolean }).connecting = true;
      opened.push(socket);
      return socket;
    };
    const started = Date.now();
    await assert.rejects(
      httpRequest(sys({ connect_timeout: 1, read_timeout: 30 }), 'http://127.0.0.1:9/x', { method: 'POST', headers: {}, body: '[]' }),
      (e: Error) => e instanceof HttpTransportError && e.message === 'no connection within 1 s (connect_timeout)',
    );
    const took = Date.now() - started;
    assert.ok(took >= 950 && took < 5000, `failed after ${took} ms`);
    assert.equal(opened.length, 1);
    assert.ok(opened[0]!.destroyed, 'the connection attempt is abandoned');
  });

  it('does not limit how long a connected server takes to answer (that is read_timeout)', async () => {
    const server = http.createServer((_req, res) => setTimeout(() => res.end('late'), 1500));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as net.AddressInfo;
      const reply = await httpRequest(sys({ connect_timeout: 1, read_timeout: 30 }), `http://127.0.0.1:${port}/`, { method: 'GET', headers: {} });
      assert.equal(reply.body.toString(), 'late');
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  });
});

import assert from 'node:assert/strict';
import { systemUrl } from '../../src/engine/system-url.js';

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

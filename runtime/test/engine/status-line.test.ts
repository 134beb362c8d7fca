import assert from 'node:assert/strict';
import { terminalStatus } from '../../src/engine/cli.js';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean): { s: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const s = { isTTY, write: (t: string) => written.push(t) > 0 } as unknown as NodeJS.WriteStream;
  return { s, written };
}

describe('engine/cli status line', () => {
  it('rewrites one terminal line in place and clears it once before other output', () => {
    const { s, written } = stream(true);
    const st = terminalStatus(s)!;
    st.show('a: 2,000 entities');
    st.show('a: 4,000 entities');
    st.clear();
    st.clear();
    assert.deepEqual(written, ['\r\x1b[Ka: 2,000 entities', '\r\x1b[Ka: 4,000 entities', '\r\x1b[K']);
  });

  it('is not there when the stream is not a terminal (logs and pipes get no control codes)', () => {
    assert.equal(terminalStatus(stream(false).s), undefined);
  });
});

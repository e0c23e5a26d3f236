// Checks of the built standalone bundle (skipped before `npm run build`):
// it is inlined into one HTML file by `flowlens graph -o html`.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';

const js = new URL('../../internal/webui/dist/standalone/graph.js', import.meta.url);
const css = new URL('../../internal/webui/dist/standalone/graph.css', import.meta.url);
const built = existsSync(js);

describe.skipIf(!built)('standalone bundle', () => {
  it('can be inlined in <script> and <style>', () => {
    const s = readFileSync(js, 'utf8');
    expect(s).not.toMatch(/<\/script/i);
    expect(s).not.toMatch(/<!--/);
    expect(readFileSync(css, 'utf8')).not.toMatch(/<\/style/i);
  });
  it('is one self-contained script (no imports, no network)', () => {
    const s = readFileSync(js, 'utf8');
    expect(s).not.toMatch(/\bimport\s*\(/);
    expect(s).not.toMatch(/^import /m);
    expect(s).not.toMatch(/fetch\(/);
  });
});

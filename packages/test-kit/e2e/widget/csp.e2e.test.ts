import { expect } from '@esm-bundle/chai';
import { e2e, eventually, linkToken } from './helpers.ts';

type CspReport = { 'csp-report': { 'violated-directive': string; 'blocked-uri': string } };

function waitFor<T>(predicate: (data: any) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (event: MessageEvent) => {
      if (event.data?.source === 'csp-fixture' && predicate(event.data)) {
        window.removeEventListener('message', listener);
        resolve(event.data as T);
      }
    };
    window.addEventListener('message', listener);
  });
}

describe('dist/nerm-connect.js under a strict Content-Security-Policy', () => {
  before(async () => {
    await fetch('/__e2e/csp-reports');
  });

  it("works on a page served with default-src 'self'; script-src 'self'; style-src 'self', with no violation", async () => {
    const cfg = await e2e();
    const page = await fetch('/widget/fixtures/csp.html');
    expect(page.headers.get('content-security-policy')).to.contain("style-src 'self'");

    const frame = document.createElement('iframe');
    frame.dataset.fixture = '';
    const ready = waitFor((d) => d.ready);
    frame.src = '/widget/fixtures/csp.html';
    document.body.append(frame);
    await ready;
    const result = waitFor<{
      success: boolean;
      violations: string[];
      styled: string;
      code?: string;
      germanLabel?: string;
    }>((d) => 'success' in d);
    frame.contentWindow!.postMessage(
      {
        brokerUrl: cfg.brokerUrl,
        linkToken: await linkToken(),
        tenantUrl: cfg.sandboxUrl,
        apiKey: cfg.apiKey,
      },
      '*',
    );
    const outcome = await result;
    expect(outcome.success, outcome.code).to.equal(true);
    expect(outcome.violations).to.deep.equal([]);

    // Then a violation of our own: once it is in, any earlier one would be too, including
    // those during parsing, before any listener (the browser's reports catch those).
    const sentinel = waitFor<{ violations: string[] }>((d) => d.sentinel);
    frame.contentWindow!.postMessage({ sentinel: true }, '*');
    const SENTINEL = 'style-src-elem inline';
    expect((await sentinel).violations).to.deep.equal([SENTINEL]);
    const reports: string[] = [];
    await eventually(async () => {
      const batch = (await (await fetch('/__e2e/csp-reports')).json()) as CspReport[];
      reports.push(
        ...batch.map(
          (r) => `${r['csp-report']['violated-directive']} ${r['csp-report']['blocked-uri']}`,
        ),
      );
      return reports.includes(SENTINEL);
    });
    expect(reports).to.deep.equal([SENTINEL]);
    // Styles applied (constructable stylesheets are not inline styles).
    expect(outcome.styled).to.equal('rgb(11, 92, 173)');
    // The minified bundle (private names mangled) still switches language.
    expect(outcome.germanLabel).to.equal('NERM-Mandanten-URL');
    frame.remove();
  });
});

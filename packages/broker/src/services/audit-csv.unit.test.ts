import { describe, expect, it } from 'vitest';
import { LifecycleService } from './lifecycle-service.ts';

const AT = '2026-01-01T00:00:00.000Z';

describe('the audit trail as CSV', () => {
  it('is RFC 4180 with CRLF rows: a header, quotes doubled, commas and quotes inside one cell', () => {
    const csv = LifecycleService.auditCsv([
      {
        id: '7',
        at: AT,
        actor: 'nerm_hook',
        action: 'hook_called',
        detail: { profile_id: 'a,"b"' },
      },
    ]);
    expect(csv).toBe(
      `id,at,actor,action,detail\r\n7,${AT},nerm_hook,hook_called,"{""profile_id"":""a,\\""b\\""""}"\r\n`,
    );
  });

  it('never hands a spreadsheet a formula: cells starting with = + - @ are escaped with a quote', () => {
    const csv = LifecycleService.auditCsv([
      { id: '1', at: AT, actor: '=HYPERLINK("http://x")', action: '+SUM(A1)', detail: {} },
      { id: '2', at: AT, actor: '@cmd', action: '-1', detail: {} },
    ]);
    const rows = csv.split('\r\n');
    expect(rows[1]).toBe(`1,${AT},"'=HYPERLINK(""http://x"")",'+SUM(A1),{}`);
    expect(rows[2]).toBe(`2,${AT},'@cmd,'-1,{}`);
  });

  it('writes a line break of a detail as JSON \\n, so every entry stays one row', () => {
    const csv = LifecycleService.auditCsv([
      { id: '3', at: AT, actor: 'scheduler', action: 'sync', detail: { note: 'two\nlines' } },
    ]);
    // JSON encodes the break, so the row stays on one line either way.
    expect(csv.split('\r\n')).toEqual([
      'id,at,actor,action,detail',
      `3,${AT},scheduler,sync,"{""note"":""two\\nlines""}"`,
      '',
    ]);
  });
});

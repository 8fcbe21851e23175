import { decideIntake, intakeWorkflowId, isLateFor } from '../../src/intake/rules';
import { signBody, verifySignature } from '../../src/intake/signature';

describe('intake rules', () => {
  it('records an application with a usable CV, and keeps the CV', () => {
    expect(decideIntake({ cvRequired: true, cv: { kind: 'acceptable', contentType: 'application/pdf' } })).toEqual({
      action: 'record',
      storeCv: true,
    });
  });

  it('rejects an application without a CV when quick apply is off, with the reason', () => {
    expect(decideIntake({ cvRequired: true, cv: { kind: 'none' } })).toEqual({
      action: 'reject',
      reason: 'the posting requires a CV (quick apply is off): no CV was attached',
    });
    expect(decideIntake({ cvRequired: true, cv: { kind: 'refused', reason: 'the CV file is empty' } })).toMatchObject({
      action: 'reject',
      reason: expect.stringContaining('the CV file is empty'),
    });
  });

  it('with quick apply, records the application and leaves out a CV it cannot take', () => {
    expect(decideIntake({ cvRequired: false, cv: { kind: 'none' } })).toEqual({ action: 'record', storeCv: false });
    expect(decideIntake({ cvRequired: false, cv: { kind: 'refused', reason: 'not a CV' } })).toEqual({
      action: 'record',
      storeCv: false,
      cvNote: 'not a CV',
    });
  });

  it('flags applications that arrive after the posting left the board as late', () => {
    expect(['expired', 'unposted', 'failed'].map(isLateFor)).toEqual([true, true, true]);
    expect(['live', 'pending'].map(isLateFor)).toEqual([false, false]);
  });

  it('names the workflow after the board’s application id', () => {
    expect(intakeWorkflowId('cv-library', '4512')).toBe('application:cv-library:4512');
  });
});

describe('delivery signature (X-Signature)', () => {
  const body = Buffer.from('{"id":"1"}');
  it('accepts the body’s HMAC-SHA256, bare or sha256=-prefixed', () => {
    const sig = signBody('s3cret', body);
    expect(verifySignature('s3cret', body, sig)).toBe(true);
    expect(verifySignature('s3cret', body, `sha256=${sig.toUpperCase()}`)).toBe(true);
  });

  it('refuses a missing, malformed, other-secret or other-body signature', () => {
    expect(verifySignature('s3cret', body, undefined)).toBe(false);
    expect(verifySignature('s3cret', body, 'abc')).toBe(false);
    expect(verifySignature('s3cret', body, signBody('other', body))).toBe(false);
    expect(verifySignature('s3cret', body, signBody('s3cret', '{"id":"2"}'))).toBe(false);
  });
});

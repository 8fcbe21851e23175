import { GoneError, UnavailableError } from '../../src/domain/errors';
import { inputFault, StoreError, sanitised } from '../../src/store/errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('store errors as the rest of jobrelay sees them', () => {
  it('a database that cannot be reached or is going away is a passing fault (503, retried), never a 500', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('connection failure', '08006'),
      withCode('terminating connection due to administrator command', '57P01'),
      new Error('Connection terminated unexpectedly'),
    ])
      expect(sanitised(err)).toBeInstanceOf(UnavailableError);
  });

  it('keeps SQLSTATE and drops the values a message quotes; an erased candidate is gone', () => {
    const refused = sanitised(withCode('invalid input syntax for type uuid: "ada@example.com"', '22P02')) as StoreError;
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid' });
    expect(inputFault(refused)?.status).toBe(400);
    expect(sanitised(withCode('candidate erased', 'JR410'))).toBeInstanceOf(GoneError);
  });

  it('leaves errors that are not the database’s alone', () => {
    const bug = new TypeError('x is undefined');
    expect(sanitised(bug)).toBe(bug);
  });
});

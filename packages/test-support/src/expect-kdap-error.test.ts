import { DataError, ParameterError } from '@kdap/errors';
import { expectKdapError } from './index';

describe('expectKdapError', () => {
  it('returns the typed error of the expected code', async () => {
    const e = expectKdapError<DataError>(() => {
      throw new DataError('bad', { column: 'spend' });
    }, 'ERR_KDAP_DATA', 'bad');
    expect(e.column).toBe('spend');
    await expectKdapError(() => Promise.reject(new ParameterError('x', 'no')), 'ERR_KDAP_PARAMETER', /no/);
  });

  it('fails on a plain Error, a wrong code, a wrong message or no throw', async () => {
    expect(() => expectKdapError(() => { throw new TypeError('t'); }, 'ERR_KDAP_DATA')).toThrow('expected a KdapError with code ERR_KDAP_DATA, got TypeError: t');
    expect(() => expectKdapError(() => { throw new DataError('d'); }, 'ERR_KDAP_SCHEMA')).toThrow('expected code ERR_KDAP_SCHEMA, got ERR_KDAP_DATA');
    expect(() => expectKdapError(() => { throw new DataError('d'); }, 'ERR_KDAP_DATA', 'other')).toThrow('to contain "other"');
    expect(() => expectKdapError(() => 1, 'ERR_KDAP_DATA')).toThrow('but the call returned 1');
    await expect(expectKdapError(() => Promise.resolve(1), 'ERR_KDAP_DATA')).rejects.toThrow('the promise resolved');
  });
});

import {
  AbortError,
  AddonLoadError,
  BundleError,
  ConfigError,
  DataError,
  DisposedError,
  ERROR_CODES,
  ERROR_DISPOSITIONS,
  InsufficientDataError,
  InternalError,
  KdapError,
  ModelNotFoundError,
  NativeError,
  NotFittedError,
  NotReadyError,
  ParameterError,
  PayloadTooLargeError,
  SchemaError,
  TrackingError,
  DeploymentError,
  UnauthorizedError,
  UsageError,
  checkInt,
  checkKnownOptions,
  checkNumber,
  checkOneOf,
  closest,
  describe as describeValue,
  dispositionOf,
  isKdapError,
  parameterMessage,
} from './index';

const oneOfEach: KdapError[] = [
  new ParameterError('num_leaves', 'x'),
  new UsageError('x'),
  new ConfigError([{ source: 'config.yaml', keyPath: 'a', message: 'x' }]),
  new DataError('x', { file: 'f.csv', line: 3, column: 'spend' }),
  new InsufficientDataError('x'),
  new SchemaError('x', { column: 'spend' }),
  new NotFittedError('Model', 'predict'),
  new DisposedError('Booster'),
  new AbortError(),
  new NativeError('x', { library: 'LightGBM', returnCode: -1, function: 'LGBM_BoosterCreate' }),
  new BundleError('models/m', 'x'),
  new TrackingError('x'),
  new DeploymentError('createEndpoint', 'x', { status: 409, serviceCode: 'Conflict' }),
  new UnauthorizedError('x'),
  new ModelNotFoundError('budget', 'x'),
  new PayloadTooLargeError(1024, 'x'),
  new NotReadyError('x'),
  new AddonLoadError('x'),
  new InternalError('x'),
];

describe('the error kernel', () => {
  it('has one class per code, each a KdapError and an Error, none a TypeError', () => {
    expect(oneOfEach.map((e) => e.code).sort()).toEqual([...ERROR_CODES].sort());
    for (const e of oneOfEach) {
      expect(e).toBeInstanceOf(KdapError);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(TypeError);
      expect(e.name).toBe(e.constructor.name);
      expect(isKdapError(e)).toBe(true);
      expect(isKdapError(e, e.code)).toBe(true);
    }
    expect(new InsufficientDataError('x')).toBeInstanceOf(DataError);
  });

  it('maps every code to an exit code and an HTTP status; anything else is internal', () => {
    for (const code of ERROR_CODES) expect(ERROR_DISPOSITIONS[code]).toBeDefined();
    expect(dispositionOf(new ParameterError('x', 'm'))).toEqual({ code: 'ERR_KDAP_PARAMETER', exitCode: 2, httpStatus: 400 });
    expect(dispositionOf(new AbortError())).toEqual({ code: 'ERR_KDAP_ABORTED', exitCode: 130, httpStatus: 503 });
    expect(dispositionOf(new ModelNotFoundError('m', 'x')).httpStatus).toBe(404);
    expect(dispositionOf(new PayloadTooLargeError(1, 'x')).httpStatus).toBe(413);
    expect(dispositionOf(new UnauthorizedError('x')).httpStatus).toBe(401);
    expect(dispositionOf(new DisposedError('Booster')).httpStatus).toBe(503);
    expect(dispositionOf(new Error('bug'))).toEqual({ code: 'ERR_KDAP_INTERNAL', exitCode: 1, httpStatus: 500 });
    expect(dispositionOf('a string')).toEqual({ code: 'ERR_KDAP_INTERNAL', exitCode: 1, httpStatus: 500 });
  });

  it('recognises a KDAP error from another copy of the package by its code', () => {
    const foreign = Object.assign(new Error('m'), { code: 'ERR_KDAP_DATA' });
    expect(isKdapError(foreign)).toBe(true);
    expect(isKdapError(foreign, 'ERR_KDAP_SCHEMA')).toBe(false);
    expect(isKdapError(Object.assign(new Error('m'), { code: 'ENOENT' }))).toBe(false);
  });

  it('serialises the concept fields, never the stack', () => {
    const json = new DataError('bad cell', { file: 'f.csv', line: 3, column: 'spend' }).toJSON();
    expect(json).toEqual({ name: 'DataError', code: 'ERR_KDAP_DATA', message: 'bad cell', file: 'f.csv', line: 3, column: 'spend' });
    expect(JSON.stringify(new NativeError('m', { library: 'XGBoost', returnCode: -1 }))).not.toContain('stack');
  });

  it('says what to do in lifetime messages', () => {
    expect(new DisposedError('Booster').message).toMatch(/^Booster has been disposed\. Create or load a new one/);
    expect(new NotFittedError('PropensityScorer', 'score', 'fit(table, { target })').message).toBe(
      'PropensityScorer.score() needs a fitted model. Call fit(table, { target }) first.',
    );
  });
});

describe('validation helpers', () => {
  it('use the one message shape', () => {
    expect(parameterMessage('BudgetOptimizerTrainer', 'num_leaves', 'an integer >= 2', 1)).toBe(
      "The 'num_leaves' parameter of BudgetOptimizerTrainer must be an integer >= 2. Got 1.",
    );
    expect(() => checkInt('Dataset', 'rows', 0, 1)).toThrow("The 'rows' option of Dataset must be an integer >= 1. Got 0.");
    expect(() => checkInt('Dataset', 'rows', 1.5, 1, 10)).toThrow('must be an integer between 1 and 10. Got 1.5.');
    expect(() => checkNumber('X', 'rate', Infinity, { min: 0 })).toThrow("The 'rate' option of X must be a finite number >= 0. Got Infinity.");
    expect(() => checkNumber('X', 'rate', NaN)).toThrow('Got NaN.');
    expect(() => checkOneOf('X', 'mode', 'clipp', ['clip', 'nan'])).toThrow("must be one of 'clip', 'nan'. Got \"clipp\". Did you mean 'clip'?");
  });

  it('reject unknown options with a did-you-mean and the known list', () => {
    expect(() => checkKnownOptions('Booster.train', { numRound: 1 }, ['numRounds', 'signal'])).toThrow(
      "Booster.train has no option 'numRound'. Did you mean 'numRounds'? Known options: numRounds, signal.",
    );
    expect(() => checkKnownOptions('X', undefined, [])).not.toThrow();
    try {
      checkKnownOptions('X', { zzz: 1 }, ['a']);
    } catch (e) {
      expect(e).toBeInstanceOf(ParameterError);
      expect((e as ParameterError).parameter).toBe('zzz');
    }
  });

  it('describe values briefly', () => {
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(new Float64Array(3))).toBe('a Float64Array of length 3');
    expect(describeValue([1, 2])).toBe('[1,2]');
    expect(describeValue(Array.from({ length: 50 }, (_, i) => i))).toBe('an array of length 50');
    expect(describeValue(true)).toBe('true');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue(new Map())).toBe('an object (Map)');
    expect(describeValue(3n)).toBe('3n');
    expect(closest('num_leave', ['num_leaves', 'max_depth'])).toBe('num_leaves');
    expect(closest('zzzzzz', ['num_leaves'])).toBeUndefined();
  });
});

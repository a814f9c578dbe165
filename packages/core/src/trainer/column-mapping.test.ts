import { expectKdapError } from '@kdap/test-support';
import { tableOf } from '../testing/in-memory-table';
import { checkColumnMapping, columnRenames, renameColumns, renameRecord } from './column-mapping';

const owner = 'BudgetOptimizerTrainer';
const table = tableOf({ medium: ['search', 'social'], cost: [100, 200], revenue: [150, 260] });
const renames = columnRenames({ channel: 'medium', spend: 'cost' }, { channel: 'channel_id', spend: 'current_spend', date: 'date' }, ['channel', 'spend']);
const context = { owner, where: 'the training table' };

describe('checkColumnMapping', () => {
  it('accepts the roles of the model and freezes a copy', () => {
    const mapping = checkColumnMapping(owner, 'budget', { channel: 'medium', spend: 'cost', date: 'day', target: 'revenue' });
    expect(mapping).toEqual({ channel: 'medium', spend: 'cost', date: 'day', target: 'revenue' });
    expect(Object.isFrozen(mapping)).toBe(true);
    expect(checkColumnMapping(owner, 'budget', undefined)).toEqual({});
    expect(checkColumnMapping('AnomalyDetectorTrainer', 'anomaly', { series: ['campaign', 'metric'] })).toEqual({ series: ['campaign', 'metric'] });
  });

  it('refuses unknown roles with a did-you-mean, empty names, and one column in two roles', () => {
    const unknown = expectKdapError(() => checkColumnMapping(owner, 'budget', { chanel: 'medium' }), 'ERR_KDAP_PARAMETER', "BudgetOptimizerTrainer has no column role 'chanel'. Did you mean 'channel'? Its roles are: channel, spend, date, target.");
    expect(unknown).toMatchObject({ parameter: 'columns.chanel' });
    expectKdapError(() => checkColumnMapping(owner, 'budget', { spend: '' }), 'ERR_KDAP_PARAMETER', "The 'columns.spend' option of BudgetOptimizerTrainer (the spend column) must be a column name (a non-empty string). Got \"\".");
    expectKdapError(() => checkColumnMapping(owner, 'budget', { spend: ['cost'] }), 'ERR_KDAP_PARAMETER', /'columns.spend'.*must be a column name/);
    expectKdapError(() => checkColumnMapping(owner, 'budget', { spend: 'cost', target: 'cost' }), 'ERR_KDAP_PARAMETER', "The 'columns' option of BudgetOptimizerTrainer gives column 'cost' two roles, 'spend' and 'target'. Each role needs its own column.");
    expectKdapError(() => checkColumnMapping(owner, 'budget', 'medium'), 'ERR_KDAP_PARAMETER', /must map roles to your column names, e\.g\. \{ channel: '\.\.\.', spend/);
  });
});

describe('renameColumns', () => {
  it("shows the user's columns under the model's names, without copying", () => {
    const view = renameColumns(table, renames, context);
    expect(view.columnNames).toEqual(['channel_id', 'current_spend', 'revenue']);
    expect(view.column('current_spend')).toBe(table.column('cost'));
    expect(renameColumns(view, renames, context)).toBe(view); // idempotent
  });

  it("takes a table in the model's own names as is", () => {
    const python = tableOf({ channel_id: ['search'], current_spend: [100] });
    expect(renameColumns(python, renames, context)).toBe(python);
  });

  it('names a missing column, the option, and the columns present', () => {
    const noCost = tableOf({ medium: ['search'], revenue: [1] });
    const error = expectKdapError(
      () => renameColumns(noCost, renames, context),
      'ERR_KDAP_SCHEMA',
      "BudgetOptimizerTrainer: the training table has no column 'cost' (the spend column, option columns.spend). Fix the 'columns.spend' option, or add the column. Its columns are: medium, revenue.",
    );
    expect(error).toMatchObject({ column: 'cost' });
    const unmapped = columnRenames({}, { channel: 'channel_id' }, ['channel']);
    expectKdapError(
      () => renameColumns(table, unmapped, context),
      'ERR_KDAP_SCHEMA',
      "BudgetOptimizerTrainer: the training table has no column 'channel_id' (the channel column). If yours is named differently, say which with the 'columns' option, e.g. columns: { channel: 'your_column' }. Its columns are: medium, cost, revenue.",
    );
  });

  it("at scoring leaves an unmapped role's absence to the feature schema", () => {
    const unmapped = columnRenames({}, { channel: 'channel_id' }, ['channel']);
    expect(renameColumns(table, unmapped, { ...context, scoring: true })).toBe(table);
    expectKdapError(() => renameColumns(tableOf({ medium: ['a'] }), renames, { ...context, scoring: true }), 'ERR_KDAP_SCHEMA', /no column 'cost'/);
  });

  it('refuses a table holding both names of a role', () => {
    const both = tableOf({ medium: ['a'], channel_id: ['b'], cost: [1] });
    expectKdapError(() => renameColumns(both, renames, context), 'ERR_KDAP_SCHEMA', /has both 'medium' \(the channel column, option columns\.channel\) and 'channel_id'/);
  });
});

describe('renameRecord', () => {
  it("renames the user's fields, keeps the model's names, and refuses both", () => {
    expect(renameRecord({ medium: 'search', cost: 10, roi: 2 }, renames, context)).toEqual({ channel_id: 'search', current_spend: 10, roi: 2 });
    const python = { channel_id: 'search', current_spend: 10 };
    expect(renameRecord(python, renames, context)).toBe(python);
    expectKdapError(() => renameRecord({ cost: 1, current_spend: 2 }, renames, { owner, where: 'record 3' }), 'ERR_KDAP_SCHEMA', /record 3 has both 'cost'/);
  });
});

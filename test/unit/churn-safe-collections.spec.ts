import { FlightTable, PendingSet } from '../../lib/regions/churn-safe-collections.js';

describe('FlightTable', () => {
  it('keeps a later flight of a key when an earlier one settles', () => {
    const table = new FlightTable<string>();
    table.set('k', 'first');
    table.set('k', 'second');
    table.settle('k', 'first');
    expect(table.get('k')).toBe('second');
    table.settle('k', 'second');
    expect(table.has('k')).toBe(false);
  });

  it('keeps working after it emptied and started over', () => {
    const table = new FlightTable<number>();
    for (let i = 0; i < 100; i++) {
      table.set(`k${i}`, i);
      table.set('other', -i);
      table.settle(`k${i}`, i);
      expect(table.get('other')).toBe(-i);
      table.settle('other', -i);
      expect(table.has('other')).toBe(false);
    }
    table.set('a', 1);
    table.clear();
    expect(table.get('a')).toBeUndefined();
  });
});

describe('PendingSet', () => {
  it('lists what is pending, in a copy that later removals do not change', () => {
    const pending = new PendingSet<string>();
    pending.add('a');
    pending.add('b');
    const seen = pending.snapshot();
    pending.delete('a');
    expect(seen).toEqual(['a', 'b']);
    expect(pending.snapshot()).toEqual(['b']);
    pending.delete('b');
    expect(pending.snapshot()).toEqual([]);
    pending.add('c');
    expect(pending.snapshot()).toEqual(['c']);
  });
});

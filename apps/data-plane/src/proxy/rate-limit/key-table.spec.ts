import { KeyTable } from './key-table';

describe('KeyTable', () => {
  it('never holds more than maxKeys keys, dropping the keys not seen for longest', () => {
    const table = new KeyTable<number>(100, 60_000, 0);
    for (let n = 0; n < 10_000; n++) {
      table.add(`k${n}`, n, n);
      expect(table.size).toBeLessThanOrEqual(100);
    }
    expect(table.find('k9999', 10_000)).toBe(9999);
    expect(table.find('k0', 10_000)).toBeUndefined();
  });

  it('keeps a key that keeps coming while other keys come and go', () => {
    const table = new KeyTable<string>(10, 60_000, 0);
    table.add('busy', 'state', 0);
    for (let n = 0; n < 1_000; n++) {
      if (table.find(`k${n}`, n) === undefined) table.add(`k${n}`, 'other', n);
      expect(table.find('busy', n)).toBe('state');
    }
  });

  it('drops a key idle for two generations of idleMs, and keeps one seen within idleMs', () => {
    const table = new KeyTable<string>(1_000, 1_000, 0);
    table.add('idle', 'a', 0);
    table.add('active', 'b', 0);
    expect(table.find('active', 900)).toBe('b');
    expect(table.find('active', 1_800)).toBe('b');
    expect(table.find('active', 2_700)).toBe('b');
    expect(table.find('idle', 2_900)).toBeUndefined();
    expect(table.size).toBe(1);
  });
});

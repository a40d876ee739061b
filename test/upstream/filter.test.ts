import { describe, expect, it } from 'vitest';
import { encodeFilterBy, FilterEncodingError } from '../../src/upstream/filter.js';

describe('encodeFilterBy', () => {
  it('spells every operator as Run:ai does, in a stable order whatever the input order', () => {
    expect(
      encodeFilterBy({
        phase: { ne: 'Empty' },
        name: { endsWith: 'x', startsWith: 'a', notContains: 'b', contains: 'c', ne: 'd', eq: 'e' },
        createdAt: { gte: new Date('2025-01-01T00:00:00Z'), lte: new Date('2025-02-01T00:00:00Z') },
        swapEnabled: { eq: false },
      }),
    ).toEqual([
      'name==e',
      'name!=d',
      'name=@c',
      'name!@b',
      'name=^a',
      'name=$x',
      'phase!=Empty',
      'createdAt<=2025-02-01T00:00:00.000Z',
      'createdAt>=2025-01-01T00:00:00.000Z',
      'swapEnabled==false',
    ]);
  });

  it('skips null conditions and gives nothing for no filter', () => {
    expect(encodeFilterBy(undefined)).toEqual([]);
    expect(encodeFilterBy({ name: { eq: null, contains: 'a' } })).toEqual(['name=@a']);
  });

  it('refuses a value holding a comma, naming the field', () => {
    expect(() => encodeFilterBy({ gpuNetworkAccelerationLabelKey: { eq: 'a,b' } })).toThrow(
      FilterEncodingError,
    );
    expect(() => encodeFilterBy({ name: { eq: 'a,b' } })).toThrow(/name\.eq cannot contain a comma/);
  });
});

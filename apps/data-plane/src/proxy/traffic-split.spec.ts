import type { IncomingHttpHeaders } from 'node:http';
import { TrafficSplitter, type RouteVariant } from './traffic-split';

const stable = { variant: 'stable' as RouteVariant };
const canary = { variant: 'canary' as RouteVariant };
const preview = { variant: 'preview' as RouteVariant };

function splitter(canaryPercentage: number, previewHeader?: string) {
  return new TrafficSplitter(stable, canary, preview, { pinHeader: 'x-canary', previewHeader, canaryPercentage });
}

function canaryShare(split: TrafficSplitter<typeof stable>, requests: number, headers: IncomingHttpHeaders = {}) {
  let count = 0;
  for (let i = 0; i < requests; i++) if (split.pick(headers) !== stable) count++;
  return count / requests;
}

describe('TrafficSplitter', () => {
  it.each([0, 1, 10, 33, 50, 90, 100])('gives the canary %d%% of 1,000 requests within half a point', (percentage) => {
    expect(Math.abs(canaryShare(splitter(percentage), 1000) * 100 - percentage)).toBeLessThanOrEqual(0.5);
  });

  it('keeps the share over any later window too, not only from the start', () => {
    const split = splitter(10);
    canaryShare(split, 37);
    expect(Math.abs(canaryShare(split, 1000) - 0.1)).toBeLessThanOrEqual(0.001);
  });

  it('lets the pin header win over the share: always goes to the canary, never to the stable version', () => {
    expect(canaryShare(splitter(0), 100, { 'x-canary': 'always' })).toBe(1);
    expect(canaryShare(splitter(100), 100, { 'x-canary': 'never' })).toBe(0);
    expect(canaryShare(splitter(0), 100, { 'x-canary': 'sometimes' })).toBe(0);
  });

  it('sends only requests with the preview header to the new version, labelled preview, when one is set', () => {
    const split = splitter(0, 'x-preview');
    expect(split.pick({ 'x-preview': 'true' })).toBe(preview);
    expect(split.pick({ 'x-preview': 'false' })).toBe(stable);
    expect(split.pick({})).toBe(stable);
    expect(splitter(0).pick({ 'x-preview': 'true' })).toBe(stable);
  });
});

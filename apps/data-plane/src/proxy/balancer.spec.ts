import type { IncomingMessage } from 'node:http';
import { createBalancer, RoundRobinBalancer } from './balancer';

const request = {} as IncomingMessage;

describe('RoundRobinBalancer', () => {
  it('hands out each backend in turn', () => {
    const balancer = new RoundRobinBalancer(['a', 'b', 'c']);
    expect(Array.from({ length: 7 }, () => balancer.pick())).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('has nothing to pick without backends', () => {
    expect(new RoundRobinBalancer([]).pick()).toBeUndefined();
  });

  it('keeps separate counters per route', () => {
    const first = createBalancer('RoundRobin', ['a', 'b']);
    const second = createBalancer('RoundRobin', ['a', 'b']);
    expect([first.pick(request), first.pick(request), second.pick(request)]).toEqual(['a', 'b', 'a']);
  });

  it('continues from the previous balancer of the same route after a swap', () => {
    const before = createBalancer('RoundRobin', ['a', 'b', 'c']);
    before.pick(request);
    const after = createBalancer('RoundRobin', ['a', 'b', 'c', 'd'], before);
    expect(after.pick(request)).toBe('b');
  });

  it('serves strategies not implemented yet round robin', () => {
    const balancer = createBalancer('LeastConnections', ['a', 'b']);
    expect(balancer.strategy).toBe('RoundRobin');
    expect([balancer.pick(request), balancer.pick(request)]).toEqual(['a', 'b']);
  });
});

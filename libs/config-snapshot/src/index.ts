export * from './schema';
export * from './duration';
export * from './path-pattern';
export * from './issues';
export * from './hash';
export * from './validate';
export * from './snapshot';
export * from './diff';

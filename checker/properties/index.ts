export type { BoundProperty, DeadlockProperty, InvariantProperty, Property, TransitionProperty } from './property.js';
export type { ProgressProperty } from './progress.js';

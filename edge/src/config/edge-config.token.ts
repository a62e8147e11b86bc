/** Nest injection token for the validated EdgeConfig. */
export const EDGE_CONFIG = Symbol('EDGE_CONFIG');

// Probe (issue 14): a plain-JavaScript scenario file with `variants: null`. Before: "internal error".
export default {
  id: 'probe-variants-null',
  title: 'variants: null',
  source: 'issue 14 probe',
  description: 'No variants at all.',
  params: {},
  variants: null,
  defaultVariant: 'x',
  build: () => ({ name: 'probe-variants-null', world: {}, actors: [], properties: [] }),
};

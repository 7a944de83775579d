/** Probe (issue 14, new): a parameter whose range is empty (min above max) - refused when the file loads. */
import { defineScenario } from 'faultline';
import base from './counter.scenario.js';

export default defineScenario({ ...base, id: 'probe-empty-range', params: { n: { description: 'the count', default: 3, min: 5, max: 2 } } });

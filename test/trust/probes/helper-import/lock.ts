// Probe (issue 14): a helper beside the scenario that imports 'faultline' itself. Before: "internal
// error: Cannot find module 'faultline' ... (this is a bug in faultline)".
import { bool } from 'faultline';

export const lockField = () => bool();

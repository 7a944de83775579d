// CPU seconds used by the child processes this process has reaped, read from /proc/self/stat: cutime +
// cstime grow by a child's whole tree when the child is reaped, in clock ticks (USER_HZ, 100 a second on
// Linux). undefined without /proc (not Linux).
import { readFileSync } from 'node:fs';

export function childCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(')').at(-1).trim().split(' ');
    // After the command's closing parenthesis: state is fields[0], so cutime (field 16) is fields[13].
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

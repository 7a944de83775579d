/* The dining philosophers, twin of philosophers.scenario.ts: philosopher i takes fork i (its left), then
 * fork i+1 mod N (its right), eats, and puts both down; one faultline step is one atomic sequence here.
 * ORDERED 1: the last philosopher takes its right fork first, which breaks the cycle of waiting. */
#define N 4
#define ORDERED 0
bit fork[N];
active [N] proctype Phil() {
thinking:
  if
  :: atomic { !(ORDERED && _pid == N - 1) && fork[_pid] == 0 -> fork[_pid] = 1 }
  :: atomic { (ORDERED && _pid == N - 1) && fork[(_pid + 1) % N] == 0 -> fork[(_pid + 1) % N] = 1 }
  fi;
  if
  :: atomic { !(ORDERED && _pid == N - 1) && fork[(_pid + 1) % N] == 0 -> fork[(_pid + 1) % N] = 1 }
  :: atomic { (ORDERED && _pid == N - 1) && fork[_pid] == 0 -> fork[_pid] = 1 }
  fi;
eating:
  atomic { fork[_pid] = 0; fork[(_pid + 1) % N] = 0 };
  goto thinking
}
#ifdef LIVENESS
ltl p0eats { []<> (Phil[0]@eating) }
#endif

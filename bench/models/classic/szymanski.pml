/* Szymanski's mutual exclusion for N = 3 processes, twin of szymanski.scenario.ts: one faultline step is
 * one atomic sequence here; the awaits over all flags are written out for N = 3 (the macros).
 * NO_LOWER_WAIT 1 is the seeded bug: a process enters without waiting for the lower-numbered ones. */
#define N 3
#define NO_LOWER_WAIT 0
byte flag[N];
byte ncrit;
#define ALL_BELOW(v) (flag[0] < v && flag[1] < v && flag[2] < v)
#define SOME_IS(v) (flag[0] == v || flag[1] == v || flag[2] == v)
#define LOWER_OUT ((_pid < 1 || flag[0] < 2) && (_pid < 2 || flag[1] < 2))
#define HIGHER_OUT ((_pid >= 1 || flag[1] < 2 || flag[1] > 3) && (_pid >= 2 || flag[2] < 2 || flag[2] > 3))
active [N] proctype P() {
ncs:
  flag[_pid] = 1;
  atomic { ALL_BELOW(3) };
  flag[_pid] = 3;
  if
  :: atomic { SOME_IS(1) -> flag[_pid] = 2 }; atomic { SOME_IS(4) }
  :: atomic { !SOME_IS(1) }
  fi;
  flag[_pid] = 4;
  atomic { (NO_LOWER_WAIT || LOWER_OUT) -> ncrit++; assert(ncrit == 1) };
cs:
  atomic { HIGHER_OUT -> ncrit-- };
  flag[_pid] = 0;
  goto ncs
}
#ifdef LIVENESS
ltl p0cs { []<> (P[0]@cs) }
#endif

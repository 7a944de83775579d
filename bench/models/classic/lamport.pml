/* Lamport's fast mutual exclusion (ACM TOCS 5(1), 1987), twin of lamport.scenario.ts: one faultline
 * step is one atomic sequence here; process ids are _pid + 1 (0 = none). NO_RECHECK 1 is the seeded bug:
 * after the slow path's scan, enter without checking that y is still ours. */
#define N 3
#define NO_RECHECK 0
bit b[N];
byte x, y;
byte j[N];
byte ncrit;
active [N] proctype P() {
ncs:
  b[_pid] = 1;
  x = _pid + 1;
  if
  :: atomic { y != 0 -> b[_pid] = 0 }; atomic { y == 0 }; goto ncs
  :: atomic { y == 0 }
  fi;
  y = _pid + 1;
  if
  :: atomic { x == _pid + 1 -> ncrit++; assert(ncrit == 1) }; goto cs
  :: atomic { x != _pid + 1 -> b[_pid] = 0 }
  fi;
scan:
  if
  :: atomic { j[_pid] < N && b[j[_pid]] == 0 -> j[_pid]++ }; goto scan
  :: atomic { j[_pid] == N -> j[_pid] = 0 }
  fi;
  if
  :: atomic { NO_RECHECK || y == _pid + 1 -> ncrit++; assert(ncrit == 1) }
  :: atomic { !NO_RECHECK && y != _pid + 1 }; atomic { y == 0 }; goto ncs
  fi;
cs:
  atomic { ncrit--; y = 0 };
  b[_pid] = 0;
  goto ncs
}
#ifdef LIVENESS
ltl p0cs { []<> (P[0]@cs) }
#endif

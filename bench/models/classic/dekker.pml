/* Dekker's mutual exclusion for two processes, twin of dekker.scenario.ts: one faultline step = one
 * atomic sequence here. TURN_SHORTCUT 1 is the seeded bug (enter when it is our turn, other flag or not). */
#define TURN_SHORTCUT 0
bit flag[2];
bit turn;
byte ncrit;
active [2] proctype P() {
ncs:
  flag[_pid] = 1;
check:
  if
  :: atomic { flag[1 - _pid] == 0 || (TURN_SHORTCUT && turn == _pid) -> ncrit++; assert(ncrit == 1) }
  :: atomic { flag[1 - _pid] == 1 && turn == _pid }; goto check
  :: atomic { flag[1 - _pid] == 1 && turn != _pid -> flag[_pid] = 0 };
     atomic { turn == _pid -> flag[_pid] = 1 }; goto check
  fi;
cs:
  atomic { ncrit--; turn = 1 - _pid };
  flag[_pid] = 0;
  goto ncs
}
#ifdef LIVENESS
ltl p0cs { []<> (P[0]@cs) }
#endif

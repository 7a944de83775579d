/* A bounded buffer: two producers number their items from a shared counter, one consumer checks that
 * it receives them in order. Twin of buffer.scenario.ts; one faultline step is one atomic sequence here.
 * ATOMIC 0 is the seeded bug: a producer reads the counter in one step and sends in the next, so two
 * producers can send the same number. */
#define K 3
#define M 4
#define ATOMIC 1
chan q = [K] of { byte };
byte next, expect, v;
byte tmp[2];
active [2] proctype Producer() {
#if ATOMIC
  do
  :: atomic { nfull(q) -> q!next; next = (next + 1) % M }
  od
#else
idle:
  tmp[_pid] = next;
  atomic { nfull(q) -> q!tmp[_pid]; next = (tmp[_pid] + 1) % M; tmp[_pid] = 0 };
  goto idle
#endif
}
active proctype Consumer() {
  do
  :: atomic { q?v -> assert(v == expect); expect = (expect + 1) % M; v = 0 }
  od
}

/* A reader-writer lock: R readers and one writer, twin of rwlock.scenario.ts; one faultline step is one
 * atomic sequence here. SPLIT 1 is the seeded bug: the writer checks that no reader is in, then takes
 * the lock in a second step, and a reader can enter in between. */
#define R 3
#define SPLIT 0
byte readers;
bit writer;
active [R] proctype Reader() {
idle:
  atomic { writer == 0 -> readers++ };
  readers--;
  goto idle
}
active proctype Writer() {
idle:
#if SPLIT
  readers == 0;
  atomic { writer = 1; assert(readers == 0) };
#else
  atomic { writer == 0 && readers == 0 -> writer = 1 };
#endif
writing:
  writer = 0;
  goto idle
}
#ifdef LIVENESS
ltl writes { []<> (Writer[R]@writing) }
#endif

// The V8 flags tandem-server runs with. They can only be given on node's command line (set at
// run time with v8.setFlagsFromString, V8 aborts), so they appear twice, kept equal by a unit
// test: in tandem-server's `#!/usr/bin/env -S node ...` line, for users who run the installed
// command, and here, for the places that start servers with `node <script>` themselves
// (`tandem up`, the test and benchmark helpers).
//
// --single-threaded-gc: V8's young-generation collector otherwise splits each pause over helper
// threads that, on a machine whose cores are busy with clients and replicas, wait for a core
// while the event loop stands still: with it, replica lag p99 under 50k writes/s fell from ~11-13
// ms to ~5-9 ms on 2 cores (`npm run bench:repl -- --only lag`; README, Performance), and CPU per
// pipelined request did not move measurably.

export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

// The V8 flags tandem-server runs with. They can only be given on node's command line (set at
// run time with v8.setFlagsFromString, V8 aborts), so they appear twice, kept equal by a unit
// test: in tandem-server's `#!/usr/bin/env -S node ...` line, for users who run the installed
// command, and here, for the places that start servers with `node <script>` themselves
// (`tandem up`, the test and benchmark helpers).
//
// --single-threaded-gc: V8's young-generation collector otherwise splits each pause over helper
// threads that, on a machine whose cores are busy with clients and replicas, wait for a core
// while the event loop stands still. --max-semi-space-size=4 (MB, default 16): each scavenge
// copies the young values still alive, which under a write load are mostly the values just
// stored, so a smaller young generation means shorter, more frequent pauses. Replica lag p99
// under 50k SET/s on 2 cores, three alternating rounds (README, Performance): no flags 18.2, 20.8,
// 21.9 ms; --single-threaded-gc alone 11.8, 10.7, 19.3; both 6.7, 9.1, 10.1. CPU per write did
// not move measurably.

export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=4'];

// The V8 flags tandem-server runs with. They can only be given on node's command line (set at
// run time with v8.setFlagsFromString, V8 aborts), so they appear twice, kept equal by a unit
// test: in tandem-server's `#!/usr/bin/env -S node ...` line, for users who run the installed
// command, and here, for the places that start servers with `node <script>` themselves
// (`tandem up`, the test and benchmark helpers).
//
// --single-threaded-gc: V8's young-generation collector otherwise splits each pause over helper
// threads that, on a machine whose cores are busy with clients and replicas, wait for a core
// while the event loop stands still. Replica lag p99 under 50k SET/s on 2 cores, three
// alternating rounds (session 3): no flags 18.2, 20.8, 21.9 ms; --single-threaded-gc alone 11.8,
// 10.7, 19.3; with a 4 MB young generation 6.7, 9.1, 10.1.
//
// --max-semi-space-size=4 (MB; V8's default grows to 16): a scavenge copies the young objects
// still alive, and under a write load those are the values just stored, so a pause lasts as long
// as the young generation takes to fill times its survival rate. A standalone script storing
// 100-byte strings into a 100k-key Map at 50k/s: 4 MB gave 5-10 ms scavenges every ~170 ms, 2 MB
// half that at twice the rate, 1 MB a quarter, at about the same total GC time. Smaller was not
// kept: in session 5's same-run A/Bs on Tandem the replica lag p99 moved with the machine, not
// with the size (4 MB 9.2, 9.3, 5.6 ms; 2 MB 7.9, 8.9, 5.8; 1 MB 8.5, 8.4, 4.9), BGSAVE's served
// worst under load stayed under 10 ms with each (4 MB 5.7-7.4 ms, 2 MB 5.0-6.6), and loading
// 1M keys, where every value survives, cost more with 2 MB (main thread 2.95 s against 2.82;
// wall 3.06 s against 2.67, which is 1.90x Redis against 1.35x).

export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=4'];

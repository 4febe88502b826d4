#pragma once
// What the load generator reads about processes: the server's RSS and CPU time from /proc, and
// its own CPU time.
namespace loadgen {

long rss_kb(int pid);         // VmRSS, or -1
double cpu_seconds(int pid);  // utime + stime of all its threads
double self_cpu_seconds();

}  // namespace loadgen

#pragma once

// A consumer process of nanofaas_bench_jetstream, the program started again as
// `consume MODE URL RUN SHARED_FILE SLOT`: the raw C client (floor) or an engine (queue, async).

namespace nanofaas::bench::jetstream {

/// Runs `argv` = {program, "consume", MODE, URL, RUN, SHARED_FILE, SLOT}; ends the process
/// (it does not return).
int consume(int argc, char** argv);

}  // namespace nanofaas::bench::jetstream

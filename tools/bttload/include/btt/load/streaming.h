#pragma once
// The timed phase: presigned proofs go to the node over S bidirectional StreamProofs calls
// (gRPC callback API, one reactor per call, one connection each), every answer checked.
//
// Per stream: one write in flight; at most `window` proofs unanswered; a proof's request id
// is unique within its stream; answers are matched by request id, and a channel's answers
// must come back in the order its proofs were sent (DESIGN §9). With a rate, a pacer
// thread releases proofs on a fixed schedule (rate / S per stream); without, the next
// proof goes out as soon as the window allows. The stop is the duration or the end of the
// presigned proofs; then each stream waits for its last answers (at most the drain
// timeout, after which the call is cancelled), half-closes, and the node ends the call.
// A node that answers nothing for the drain timeout while proofs are outstanding has its
// calls cancelled too; unanswered proofs are errors either way.
// Every call carries a deadline: the run's time bound + drain timeout + 30 s.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <btt/load/fleet.h>
#include <btt/load/latency.h>
#include <btt/load/options.h>
#include <btt/load/receipt_checker.h>
#include <btt/load/signing.h>

namespace btt::load {

struct LiveCounts {
    std::uint64_t sent = 0;  // proofs written to a stream
    std::uint64_t accepted = 0;
    std::uint64_t duplicate = 0;
    std::uint64_t rejected = 0;
    std::uint64_t errors = 0;  // wrong answers, unanswered proofs, streams ended badly
};

struct StreamResults {
    LiveCounts counts;
    std::map<std::string, std::uint64_t> rejected;  // reason token -> count
    std::uint64_t unanswered = 0;                   // part of counts.errors
    LatencyHistogram latency;                       // send to answer, microseconds
    std::vector<std::string> error_examples;        // the first few, in order seen
    double seconds = 0;                             // first send to last answer
    std::vector<std::uint64_t> started;             // per stream: how many of its plan went out
    bool ran_out = false;      // a duration was set, but the presigned proofs ended first
    bool unreachable = false;  // no answer at all, and every stream ended UNAVAILABLE
    bool stalled = false;      // no answer for the drain timeout: the calls were cancelled
};

using ProgressFn = std::function<void(double elapsed_s, const LiveCounts& counts)>;

// Runs the timed phase to its end; `progress` is called about every 100 ms from the
// calling thread. Never throws for anything the node does: that is counted in errors.
[[nodiscard]] StreamResults run_streams(const Options& options, const ProofPlan& plan,
                                        const Fleet& fleet, ReceiptChecker& receipts,
                                        const ProgressFn& progress);

// Raises each channel's last_sent to the highest amount of the proofs that went out.
void record_sent(const ProofPlan& plan, const StreamResults& results, Fleet& fleet);

}  // namespace btt::load

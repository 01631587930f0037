#pragma once
// bttload --attack (issue 20, DESIGN §10 "Fair under floods"): a stranger beside the honest
// load, to measure what it costs the honest client. The run streams the honest load twice,
// alone and then with the attacker, and reports both phases' acknowledgement latency and
// rejections in one run (run.cpp). The attacker uses connections of its own:
//
//   replay         one accepted proof of a channel the honest load never touches, sent
//                  again and again (what GetChannel shows anyone): duplicates to answer
//   bad-signature  proofs naming the honest channels with random signature bytes: a
//                  recovery each, then bad_signature or wrong_signer (malformed class)
//   wrong-signer   proofs naming the honest channels, validly signed by a stranger's key
//   close-spam     CloseChannel calls on the honest channels with random signatures
//   idle           connections (--attack-connections) holding --attack-streams proof
//                  streams each that send nothing
//
// Streams and calls are kept at the attacker's full window (--attack-window, in flight per
// stream) and reopened when the node ends them (a connection refused or cut for malformed
// proofs comes back), until the phase ends. The attacker checks nothing: it counts.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <btt/base/expected.h>
#include <btt/load/fleet.h>
#include <btt/load/options.h>
#include <btt/load/signing.h>

namespace btt::load {

[[nodiscard]] std::optional<AttackKind> attack_kind_from(std::string_view name);
[[nodiscard]] const char* attack_name(AttackKind kind);

struct AttackResults {
    std::uint64_t sent = 0;                    // proofs written, or CloseChannel calls made
    std::map<std::string, std::uint64_t> answers;  // outcome or reason token -> count
    std::map<std::string, std::uint64_t> ended;    // gRPC status of calls and streams ended
    std::uint64_t opened = 0;                  // streams (or calls) the attacker started
};

class Attacker {
public:
    // `victim` is the channel the replay attack replays (one the honest plan leaves out);
    // the others name every channel of `fleet` but that one.
    Attacker(const Options& options, const Fleet& fleet, std::optional<std::size_t> victim);
    ~Attacker();
    Attacker(const Attacker&) = delete;
    Attacker& operator=(const Attacker&) = delete;

    // Before the honest baseline: replay has its proof accepted (so that by the attack it
    // is older than the node's recent batches); the others sign what they send.
    [[nodiscard]] Expected<void, RunError> prepare();
    void start();
    // Cancels everything in flight and waits (bounded) for it to end.
    [[nodiscard]] AttackResults stop();
    // Replay: the amount it replays (the victim channel's last amount sent now).
    [[nodiscard]] std::optional<std::uint64_t> replayed_amount() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace btt::load

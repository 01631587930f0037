#pragma once
// The channels a run drives: payers' keys and, per channel, its id, deposit and the highest
// cumulative amount sent so far. Built by funding (new channels) or from a channels file
// (reuse), completed from the node's GetChannel answers.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <btt/channels/ids.h>
#include <btt/tron/keys.h>

namespace btt::load {

struct LoadChannel {
    channels::ChannelId id;
    std::size_t payer = 0;        // index into Fleet::payers
    std::uint64_t deposit = 0;    // as the node reports it (0 until known)
    std::uint64_t last_sent = 0;  // highest amount sent, or accepted by the node; proofs go above
};

struct Fleet {
    std::vector<tron::PrivateKey> payers;
    std::vector<LoadChannel> channels;
};

}  // namespace btt::load

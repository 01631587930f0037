#pragma once
// A ProofResult's Receipt (DESIGN §9) in the form channels::verify_batch_receipt checks.
// One converter for every client of the API: bttload, bttorrent's seeder and the tests.
#include <string>

#include <btt/base/expected.h>
#include <btt/channel/v1/channel.pb.h>
#include <btt/channels/receipt.h>

namespace btt::api {

// The receipt for `channel`, or what in the wire form is malformed (a wrong length, an
// amount above 2^63-1).
[[nodiscard]] Expected<channels::BatchReceipt, std::string> receipt_from_proto(
    const btt::channel::v1::Receipt& wire, const channels::ChannelId& channel);

}  // namespace btt::api

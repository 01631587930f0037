#pragma once
// bttnode's API messages as bttctl prints them: ids, signatures and txids in lowercase hex,
// amounts as decimal strings (DESIGN §9: JSON readers keeping doubles would round int64),
// states without their enum prefix ("OPEN", "CONFIRMED").
#include <string>

#include <btt/channel/v1/channel.pb.h>
#include <nlohmann/json.hpp>

namespace btt::ctl {

namespace v1 = btt::channel::v1;

[[nodiscard]] std::string hex_of(const std::string& raw);
// "OPEN" for CHANNEL_STATE_OPEN; the number for a value this build does not know.
[[nodiscard]] std::string state_text(int channel_state);

[[nodiscard]] nlohmann::ordered_json to_json(const v1::ChannelInfo& c);
[[nodiscard]] nlohmann::ordered_json to_json(const v1::PayoutInfo& p);
[[nodiscard]] nlohmann::ordered_json to_json(const v1::SettlementRecord& s);
[[nodiscard]] nlohmann::ordered_json to_json(const v1::ChannelHistory& h);
[[nodiscard]] nlohmann::ordered_json to_json(const v1::IntakeState& s);
[[nodiscard]] nlohmann::ordered_json to_json(const v1::HeldTransfer& h);

}  // namespace btt::ctl

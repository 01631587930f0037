// The transfers of a block to the escrow, classified (see transfer_classifier.h).
#include <btt/node/engine/transfer_classifier.h>

#include <map>

#include <tron/api/api.pb.h>

#include <btt/tron/hash.h>
#include <btt/tron/transaction.h>

namespace btt::node {

std::vector<channels::IncomingTransfer> escrow_transfers(const protocol::BlockExtention& block,
                                                         const tron::TronAddress& escrow) {
    std::vector<channels::IncomingTransfer> out;
    const std::int64_t block_time = block.block_header().raw_data().timestamp() / 1000;
    for (const auto& ext : block.transactions()) {
        const auto& tx = ext.transaction();
        // A system contract that failed is not in a block; the check is defensive
        // (reference §5.14).
        if (tx.ret_size() > 0 &&
            tx.ret(0).contractret() != protocol::Transaction_Result_contractResult_SUCCESS) {
            continue;
        }
        const std::string raw = tx.raw_data().SerializeAsString();
        const auto decoded = tron::decode_raw_data(as_bytes(raw));
        if (!decoded || decoded->contracts.size() != 1)
            continue;
        const auto& c = decoded->contracts[0];
        if (c.type != static_cast<int>(tron::ContractType::TransferAsset) || !c.to || !c.owner ||
            !c.amount || !c.token_id || *c.to != escrow) {
            continue;
        }
        channels::IncomingTransfer t;
        // The txid java-tron reports; the hash of our re-serialisation only if it has none.
        Hash32 txid = decoded->txid;
        if (ext.txid().size() == 32)
            std::copy(ext.txid().begin(), ext.txid().end(), txid.begin());
        t.txid = channels::TxId(txid);
        t.from = *c.owner;
        t.to = *c.to;
        t.token_id = *c.token_id;
        // java-tron refuses non-positive transfer amounts; a negative one here would be a
        // broken full node: record it as zero (unclaimed, zero_amount), never drop it.
        t.amount = channels::Amount::from_int64(*c.amount).value_or(channels::Amount{});
        t.memo = decoded->data;
        t.block_time = {block_time};
        out.push_back(std::move(t));
    }
    return out;
}

BlockChanges classify_block(
    const channels::Rules& rules, std::int64_t block_number, const Hash32& block_id,
    const std::vector<channels::IncomingTransfer>& transfers,
    const std::function<std::optional<channels::Channel>(const channels::ChannelId&)>& stored) {
    BlockChanges out;
    out.block_number = block_number;
    out.block_id = block_id;
    std::map<channels::ChannelId, channels::Channel> touched;  // as of this point in the block
    for (const auto& t : transfers) {
        const channels::Channel* existing = nullptr;
        std::optional<channels::Channel> loaded;
        if (const auto target = channels::topup_target(t.memo)) {
            if (const auto it = touched.find(*target); it != touched.end()) {
                existing = &it->second;
            } else if ((loaded = stored(*target))) {
                existing = &*loaded;
            }
        }
        const auto outcome = channels::classify_deposit(rules, t, existing);
        DepositRecord d;
        d.txid = t.txid;
        d.block_number = block_number;
        d.block_time = t.block_time;
        d.sender = t.from;
        d.token_id = t.token_id;
        d.amount = t.amount;
        d.memo = t.memo;
        if (const auto* open = std::get_if<channels::OpenChannel>(&outcome)) {
            d.kind = DepositKind::Open;
            d.channel = open->channel.id;
            out.opened.push_back(open->channel);
            touched[open->channel.id] = open->channel;
        } else if (const auto* up = std::get_if<channels::TopUp>(&outcome)) {
            d.kind = DepositKind::TopUp;
            d.channel = up->channel;
            d.held = t.amount < rules.min_refund;  // if the store finds the channel closing
            out.topped_up.push_back({up->channel, up->new_deposit});
            auto& c = touched[up->channel];
            c = *existing;
            c.deposit = up->new_deposit;
        } else if (std::holds_alternative<channels::HeldForOperator>(outcome)) {
            d.kind = DepositKind::Held;
        } else {
            const auto& u = std::get<channels::Unclaimed>(outcome);
            d.kind = DepositKind::Unclaimed;
            d.unclaimed_reason = u.reason;
            d.held = u.held;
        }
        out.deposits.push_back(std::move(d));
    }
    return out;
}

}  // namespace btt::node

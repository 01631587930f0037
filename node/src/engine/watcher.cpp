// The chain watcher (see watcher.h).
#include <btt/node/engine/watcher.h>

#include <malloc.h>

#include <map>

#include <spdlog/spdlog.h>
#include <tron/api/api.pb.h>

#include <btt/node/engine/intake.h>
#include <btt/node/engine/transfer_classifier.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/hash.h>
#include <btt/tron/transaction.h>

namespace btt::node {

Watcher::Watcher(WatcherOptions options, tron::client::TronClient& client, Intake& intake)
    : m_options(std::move(options)), m_client(client), m_intake(intake) {}

Watcher::~Watcher() {
    stop();
}

void Watcher::start() {
    m_store = std::make_unique<Store>(m_options.database_url);
    auto cursor = m_store->cursor();
    if (!cursor)
        throw std::runtime_error(cursor.error().message());
    if (!*cursor) {
        ChainCursor first;
        if (m_options.start_block >= 0) {
            first.block_number = m_options.start_block - 1;
        } else {
            const auto solid = m_client.solid_head();
            if (!solid)
                throw std::runtime_error("solidified head: " + solid.error().message);
            first.block_number = solid->number;
            first.block_id = solid->id;
        }
        const auto done = m_store->init_cursor(first);
        if (!done)
            throw std::runtime_error(done.error().message());
        cursor = m_store->cursor();
        if (!cursor || !*cursor)
            throw std::runtime_error("chain cursor not readable after init");
        spdlog::info("watcher: fresh database, scanning from block {}", first.block_number + 1);
    }
    m_applied.store((*cursor)->block_number);
    m_thread = std::thread([this] { loop(); });
}

void Watcher::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool Watcher::wait(std::chrono::milliseconds d) {
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, d, [&] { return m_stopping; });
    return !m_stopping;
}

void Watcher::loop() {
    do {
        if (!catch_up())
            m_caught_up.store(false);
    } while (wait(m_options.poll));
}

bool Watcher::catch_up() {
    m_round_had_transfers = false;
    const auto fail = [&](const std::string& what) {
        // One line per distinct failure, not one per poll.
        if (what != m_last_error)
            spdlog::warn("watcher: {}", what);
        m_last_error = what;
        return false;
    };
    const auto solid = m_client.solid_head();
    if (!solid)
        return fail("solidified head: " + solid.error().message);
    while (m_applied.load() < solid->number) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return true;
        }
        const std::int64_t from = m_applied.load() + 1;
        const std::int64_t to = std::min(solid->number + 1, from + 100);
        const auto blocks = m_client.solid_blocks(from, to);
        if (!blocks)
            return fail("blocks " + std::to_string(from) + ": " + blocks.error().message);
        if (blocks->empty())
            return fail("the full node returned no block " + std::to_string(from));
        for (const auto& block : *blocks) {
            const std::int64_t number = block.block_header().raw_data().number();
            Hash32 id{};
            std::copy_n(block.blockid().begin(), std::min<std::size_t>(32, block.blockid().size()),
                        id.begin());
            bool lookup_failed = false;
            auto changes = classify_block(
                m_options.rules, number, id, escrow_transfers(block, m_options.rules.escrow),
                [&](const channels::ChannelId& cid) -> std::optional<channels::Channel> {
                    auto c = m_store->channel(cid);
                    if (!c) {
                        lookup_failed = true;
                        return std::nullopt;
                    }
                    return *c;
                });
            if (lookup_failed)
                return fail("database unavailable while classifying a top-up");
            const auto applied = m_store->apply_block(changes);
            if (!applied)
                return fail("block " + std::to_string(number) + ": " + applied.error().message());
            // Top-ups whose channel intake moved on meanwhile were stored unclaimed (they are
            // refunded): neither intake nor a watcher hears of them as top-ups.
            for (const auto& refused : applied->refused_topups) {
                spdlog::warn("watcher: block {}: a top-up of channel {} arrived after it left "
                             "OPEN; recorded unclaimed (channel_not_open), to be refunded",
                             number, refused.to_hex());
                std::erase_if(changes.topped_up,
                              [&](const auto& up) { return up.channel == refused; });
            }
            // Durable now: hand the new state to intake (final deposits of the block).
            std::map<channels::ChannelId, channels::Amount> deposits;
            for (const auto& up : changes.topped_up)
                deposits[up.channel] = up.new_deposit;
            for (auto c : changes.opened) {
                if (const auto it = deposits.find(c.id); it != deposits.end()) {
                    c.deposit = it->second;
                    deposits.erase(it);
                }
                m_intake.add_channel(c);
            }
            for (const auto& [cid, amount] : deposits)
                m_intake.set_deposit(cid, amount);
            m_applied.store(number);
            if (!changes.deposits.empty()) {
                m_untrimmed = true;
                m_round_had_transfers = true;
                spdlog::info(
                    "watcher: block {}: {} transfer(s) to the escrow, {} opened, {} topped up",
                    number, changes.deposits.size(), changes.opened.size(),
                    changes.topped_up.size());
            }
            if (on_block)
                on_block(changes);
        }
    }
    if (m_options.metrics != nullptr) {
        const auto head = m_client.head();
        m_options.metrics->chain_heights(head ? head->number : solid->number, solid->number,
                                         m_applied.load());
    }
    if (!m_last_error.empty())
        spdlog::info("watcher: recovered; at block {}", m_applied.load());
    m_last_error.clear();
    m_caught_up.store(true);
    return_freed_memory();
    return true;
}

void Watcher::return_freed_memory() {
    // Blocks with transfers to the escrow pass through large transient buffers (the
    // blocks' protobuf, the classification, the channels handed to intake) that leave
    // holes inside the heap, which glibc keeps. Handing their pages back keeps the resident
    // size close to what intake holds per channel: at most once a second while transfers
    // keep coming, and at the first round without any (the burst is over).
    constexpr auto kEvery = std::chrono::seconds(1);
    const auto now = std::chrono::steady_clock::now();
    if (!m_untrimmed || (m_round_had_transfers && now - m_last_trim < kEvery))
        return;
    m_untrimmed = false;
    m_last_trim = now;
    ::malloc_trim(0);
    spdlog::debug("watcher: freed memory handed back in {} us",
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - now)
                      .count());
}

}  // namespace btt::node

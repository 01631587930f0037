#pragma once
// The btt_pay extension as a libtorrent-rasterbar 2.0 session plugin. All it decides is in
// Hub (and credit.h); this file is the glue to libtorrent's callbacks, which run on the
// network thread: they never block and never do I/O other than queueing bytes.
//
// libtorrent facts it relies on (issue 14): peer_plugin::on_request returning true drops a
// request before it is queued (the only place unpaid peers are refused; the regular choker
// may unchoke again, so requests are gated, not only chokes); on_extended fires for every
// received fragment of a message and must return true for our id or the peer is
// disconnected; add_handshake adds to the BEP 10 handshake dictionary.

#include <memory>

#include <libtorrent/extensions.hpp>

#include <btt/torrent/hub.h>

namespace btt::torrent {

// Our id for btt_pay in the "m" dictionary we send: the id peers use to write to us.
inline constexpr int kOurExtensionId = 33;

[[nodiscard]] std::shared_ptr<libtorrent::plugin> make_pay_plugin(std::shared_ptr<Hub> hub);

}  // namespace btt::torrent

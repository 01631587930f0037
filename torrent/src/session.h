#pragma once
// libtorrent sessions as bttorrent runs them: loopback-friendly, nothing that reaches out.
#include <memory>
#include <string>

#include <libtorrent/session.hpp>

#include <btt/torrent/hub.h>

namespace btt::torrent {

// No DHT, LSD, UPnP, NAT-PMP or uTP; listening on `listen` (host:port); several peers on one
// IP allowed (test swarms live on 127.0.0.1); redundant connections kept (a finished payer
// must still hear its seller's acks); the btt_pay plugin as the only extension.
[[nodiscard]] std::unique_ptr<libtorrent::session> make_session(const std::string& listen,
                                                                std::shared_ptr<Hub> hub);

}  // namespace btt::torrent

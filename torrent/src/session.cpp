#include "session.h"

#include <libtorrent/session_params.hpp>
#include <libtorrent/settings_pack.hpp>

#include <btt/torrent/plugin.h>

namespace btt::torrent {

namespace lt = libtorrent;

std::unique_ptr<lt::session> make_session(const std::string& listen, std::shared_ptr<Hub> hub) {
    lt::settings_pack s;
    s.set_str(lt::settings_pack::listen_interfaces, listen);
    s.set_bool(lt::settings_pack::enable_dht, false);
    s.set_bool(lt::settings_pack::enable_lsd, false);
    s.set_bool(lt::settings_pack::enable_upnp, false);
    s.set_bool(lt::settings_pack::enable_natpmp, false);
    s.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    s.set_bool(lt::settings_pack::enable_incoming_utp, false);
    s.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
    s.set_bool(lt::settings_pack::close_redundant_connections, false);
    s.set_int(lt::settings_pack::tick_interval, 50);  // how often queued btt_pay messages go out
    s.set_int(lt::settings_pack::request_timeout, 5);
    s.set_int(lt::settings_pack::min_reconnect_time, 1);
    s.set_int(lt::settings_pack::alert_mask,
              static_cast<int>(static_cast<std::uint32_t>(lt::alert_category::error |
                                                          lt::alert_category::status)));
    s.set_str(lt::settings_pack::user_agent, "bttorrent/0.1");
    lt::session_params params(std::move(s));
    params.extensions.clear();  // no ut_pex or ut_metadata: peers come from --peer only
    params.extensions.push_back(make_pay_plugin(std::move(hub)));
    return std::make_unique<lt::session>(std::move(params));
}

}  // namespace btt::torrent

# libFuzzer targets of the parsers of outside bytes beyond tron/ and channels/ (DESIGN §10):
# the node's config and database URL redaction, ledger lines, btt_pay messages, and the
# ChannelService requests as the node converts them.
btt_add_fuzz_target(fuzz_config_load SOURCE fuzz/outside/config_load_fuzz.cpp LIBS btt_node_config)
btt_add_fuzz_target(fuzz_redact_url SOURCE fuzz/outside/redact_url_fuzz.cpp LIBS btt_node_config)
btt_add_fuzz_target(fuzz_ledger_line SOURCE fuzz/outside/ledger_line_fuzz.cpp LIBS btt_ledger)
btt_add_fuzz_target(fuzz_pay_message SOURCE fuzz/outside/pay_message_fuzz.cpp LIBS btt_torrent_wire)
btt_add_fuzz_target(fuzz_channel_requests SOURCE fuzz/outside/channel_requests_fuzz.cpp LIBS btt_channels btt_proto_api)

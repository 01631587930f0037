# libFuzzer targets of channels/ (built only with -DBTT_FUZZ=ON and clang).
btt_add_fuzz_target(fuzz_memo_parse SOURCE fuzz/channels/memo_parse_fuzz.cpp LIBS btt_channels)
btt_add_fuzz_target(fuzz_proof_handling SOURCE fuzz/channels/proof_handling_fuzz.cpp LIBS btt_channels)

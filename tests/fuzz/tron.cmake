# libFuzzer targets of tron/ (built only with -DBTT_FUZZ=ON and clang).
btt_add_fuzz_target(fuzz_address_decode SOURCE fuzz/tron/address_decode_fuzz.cpp LIBS btt_tron)
btt_add_fuzz_target(fuzz_tx_decode SOURCE fuzz/tron/tx_decode_fuzz.cpp LIBS btt_tron btt_proto_tron)
btt_add_fuzz_target(fuzz_proof_parse SOURCE fuzz/tron/proof_parse_fuzz.cpp LIBS btt_tron)

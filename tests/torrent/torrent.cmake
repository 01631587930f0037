# torrent/ (issue 14). Unit tests of the pure btt_pay codec and credit policy (label unit),
# and bttorrent end to end: a paying seeder, payers, a non-payer and a plain libtorrent
# peer on loopback against the e2e rig's bttnode, trondev and PostgreSQL (label e2e).
add_executable(torrent_unit_tests
    torrent/bencode_test.cpp
    torrent/pay_message_test.cpp
    torrent/credit_test.cpp
    torrent/hub_test.cpp
)
target_link_libraries(torrent_unit_tests PRIVATE btt_torrent btt_torrent_wire btt_testkit
    GTest::gtest_main)
gtest_discover_tests(torrent_unit_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 120)

add_executable(torrent_e2e_tests
    e2e/e2e_main.cpp
    torrent/torrent_e2e_test.cpp
)
target_compile_definitions(torrent_e2e_tests PRIVATE BTTORRENT_EXE="$<TARGET_FILE:bttorrent>")
add_dependencies(torrent_e2e_tests bttnode bttorrent)
target_link_libraries(torrent_e2e_tests PRIVATE btt_e2e_rig btt_torrent nlohmann_json::nlohmann_json
    btt_tron_io)
add_test(NAME torrent_e2e_tests COMMAND torrent_e2e_tests)
set_tests_properties(torrent_e2e_tests PROPERTIES LABELS e2e TIMEOUT 600)

add_test(NAME help_bttorrent COMMAND bttorrent --help)
set_tests_properties(help_bttorrent PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION "bttorrent")

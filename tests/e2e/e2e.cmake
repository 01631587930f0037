# End to end (label e2e): the bttnode executable against trondev and a throwaway
# PostgreSQL, through the public gRPC API only.
# The rig (throwaway PostgreSQL, trondev, the bttnode executable) is a library so that
# torrent_e2e_tests (issue 14) runs on the same one.
add_library(btt_e2e_rig STATIC e2e/node_rig.cpp)
target_include_directories(btt_e2e_rig PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
target_compile_definitions(btt_e2e_rig PRIVATE BTTNODE_EXE="$<TARGET_FILE:bttnode>")
target_link_libraries(btt_e2e_rig PUBLIC btt_testkit btt_trondev btt_tron_client btt_tron_io
    btt_channels btt_tron btt_proto_api btt_api_receipt gRPC::grpc++ GTest::gtest PkgConfig::PQXX)

add_executable(e2e_tests
    e2e/e2e_main.cpp
    e2e/intake_e2e_test.cpp
    e2e/crash_e2e_test.cpp
    e2e/settlement_e2e_test.cpp
    e2e/settlement_crash_test.cpp
    e2e/bttload_e2e_test.cpp
    e2e/ops_e2e_test.cpp
    e2e/tls_e2e_test.cpp
    e2e/audit_e2e_test.cpp
    e2e/limits_e2e_test.cpp
    e2e/held_e2e_test.cpp
)
target_compile_definitions(e2e_tests PRIVATE BTTNODE_EXE="$<TARGET_FILE:bttnode>"
    BTTLOAD_EXE="$<TARGET_FILE:bttload>" BTTCTL_EXE="$<TARGET_FILE:bttctl>")
add_dependencies(e2e_tests bttnode bttload bttctl)
if(BTT_TEST_HOOKS)
    target_compile_definitions(e2e_tests PRIVATE BTT_TEST_HOOKS=1)
else()
    message(STATUS "BTT_TEST_HOOKS is off: the crash-at-step e2e tests will skip (tools/test turns it on)")
endif()
target_link_libraries(e2e_tests PRIVATE btt_e2e_rig btt_testkit btt_trondev btt_tron_client btt_tron_io
    btt_channels btt_tron btt_proto_api gRPC::grpc++ GTest::gtest PkgConfig::PQXX
    nlohmann_json::nlohmann_json)
add_test(NAME e2e_tests COMMAND e2e_tests)
set_tests_properties(e2e_tests PROPERTIES LABELS e2e TIMEOUT 1800)

# The hostile catalogue (issue 20): every bad input to every ChannelService call and its
# exact answer. Its own executable so that `ctest -L hostile` runs it alone.
add_executable(hostile_tests e2e/e2e_main.cpp e2e/hostile_e2e_test.cpp)
target_compile_definitions(hostile_tests PRIVATE BTTNODE_EXE="$<TARGET_FILE:bttnode>")
add_dependencies(hostile_tests bttnode)
target_link_libraries(hostile_tests PRIVATE btt_e2e_rig btt_testkit btt_tron btt_channels
    btt_proto_api gRPC::grpc++ GTest::gtest)
add_test(NAME hostile_tests COMMAND hostile_tests)
set_tests_properties(hostile_tests PROPERTIES LABELS "e2e;hostile" TIMEOUT 600)

# trondev on loopback (label chain): its gRPC wire, faults and block production; bttctl's
# chain commands against it, and its node commands against a scripted ChannelService.
add_executable(chain_tests integration/chain/trondev_node_test.cpp integration/chain/trondev_restart_test.cpp
    integration/chain/tron_client_test.cpp
    integration/chain/bttctl_chain_test.cpp
    integration/chain/bttctl_node_test.cpp)
target_compile_definitions(chain_tests PRIVATE TRONDEV_EXE="$<TARGET_FILE:trondev>")
add_dependencies(chain_tests trondev)
target_link_libraries(chain_tests PRIVATE btt_testkit btt_trondev btt_tron_client btt_ctl btt_tron btt_proto_tron_grpc btt_proto_api gRPC::grpc++ GTest::gtest_main)
add_test(NAME chain_tests COMMAND chain_tests)
set_tests_properties(chain_tests PROPERTIES LABELS chain TIMEOUT 300)
